/**
 * AT&T operand syntax as gdb, objdump and crash's `dis` print it: `$0x1000000`, `%rax`,
 * `-0x38(%rbp)`, `0x0(%rax,%rax,1)`, `0x1b8e3a(%rip)`, `%gs:0x1234`, `*0x10(%rax)`, and bare
 * addresses (`0xffffffff810653c0 <get_user_pages_fast>`) which are branch targets for jumps and
 * calls and absolute memory references for everything else.
 *
 * Public names: parseAttOperands, splitAttOperands, parseAttOperand, isBranchMnemonic, AttOperand.
 * Never throws: text that is not an operand becomes `{ kind: 'other' }`.
 */

import type { MemoryOperand } from '../../model/memory.js';

export type AttOperand =
  | { kind: 'register'; name: string; indirect?: boolean }
  | { kind: 'immediate'; value: bigint }
  | { kind: 'memory'; memory: MemoryOperand; indirect?: boolean }
  | { kind: 'address'; value: bigint; symbol?: string }
  | { kind: 'other'; text: string };

export interface ParsedOperands {
  operands: AttOperand[];
  /** First memory operand, if any. */
  memory?: MemoryOperand;
  /** First immediate operand (`$…`), if any. */
  immediate?: bigint;
  /** Branch target of a direct jump or call. */
  target?: bigint;
  /** Address the disassembler resolved in its trailing comment (`# 0xffffffff82a0b3c0 <jiffies>`). */
  commentAddress?: bigint;
}

const REGISTER = /^%([a-z][a-z0-9]{0,7})$/;
const NUMBER = /^(-)?(0x[0-9a-f]{1,16}|\d{1,20})$/i;
const MEMORY =
  /^(?:%([a-z]{2}):)?(-?(?:0x[0-9a-f]{1,16}|\d{1,20}))?\((%[a-z0-9]{2,5})?(?:,(%[a-z0-9]{2,5})?(?:,([1248]))?)?\)$/i;
const SEGMENT_ABSOLUTE = /^%([a-z]{2}):(-?(?:0x[0-9a-f]{1,16}|\d{1,20}))$/i;
const ADDRESS_WITH_SYMBOL = /^(0x[0-9a-f]{1,16})\s*(?:<([^>]{1,200})>)?$/i;
const COMMENT = /#\s*(0x[0-9a-f]{1,16})/i;

/** Mnemonics whose bare-address operand is a code target rather than a memory reference. */
export function isBranchMnemonic(mnemonic: string): boolean {
  const m = mnemonic.trim().split(/\s+/).pop() ?? '';
  return /^(j[a-z]{1,4}|call[lq]?|jmp[lq]?|loop[a-z]{0,3}|xbegin|bnd\s*jmp)$/i.test(m);
}

/** Parses a signed hex (`-0x38`) or decimal number; undefined when it is not one. */
export function parseAttNumber(text: string): bigint | undefined {
  const m = NUMBER.exec(text.trim());
  if (!m) return undefined;
  const magnitude = BigInt(m[2]!);
  return m[1] ? -magnitude : magnitude;
}

/** Splits an operand list at top-level commas (commas inside parentheses belong to a memory operand). */
export function splitAttOperands(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

export function parseAttOperand(text: string, branch = false): AttOperand {
  let t = text.trim();
  let indirect = false;
  if (t.startsWith('*')) {
    indirect = true;
    t = t.slice(1).trim();
  }
  const reg = REGISTER.exec(t);
  if (reg) return { kind: 'register', name: reg[1]!.toLowerCase(), ...(indirect ? { indirect } : {}) };
  if (t.startsWith('$')) {
    const value = parseAttNumber(t.slice(1));
    return value === undefined ? { kind: 'other', text } : { kind: 'immediate', value };
  }
  const mem = MEMORY.exec(t);
  if (mem) {
    const memory: MemoryOperand = { displacement: mem[2] ? (parseAttNumber(mem[2]) ?? 0n) : 0n };
    if (mem[1]) memory.segment = mem[1].toLowerCase();
    const base = mem[3]?.slice(1).toLowerCase();
    if (base === 'rip' || base === 'eip') memory.ripRelative = true;
    else if (base) memory.base = base;
    if (mem[4]) memory.index = mem[4].slice(1).toLowerCase();
    if (mem[5]) memory.scale = Number(mem[5]);
    else if (memory.index) memory.scale = 1;
    return { kind: 'memory', memory, ...(indirect ? { indirect } : {}) };
  }
  const seg = SEGMENT_ABSOLUTE.exec(t);
  if (seg) {
    const memory: MemoryOperand = {
      displacement: parseAttNumber(seg[2]!) ?? 0n,
      segment: seg[1]!.toLowerCase(),
    };
    return { kind: 'memory', memory, ...(indirect ? { indirect } : {}) };
  }
  const addr = ADDRESS_WITH_SYMBOL.exec(t);
  if (addr) {
    const value = BigInt(addr[1]!);
    // A bare number is a code address for direct branches and an absolute memory reference otherwise.
    if (branch && !indirect) return { kind: 'address', value, ...(addr[2] ? { symbol: addr[2] } : {}) };
    return { kind: 'memory', memory: { displacement: value }, ...(indirect ? { indirect } : {}) };
  }
  return { kind: 'other', text };
}

/**
 * Parses the operand text of one instruction (`$0x18,(%r12)`, `0xffffffff810e3c10 <get_futex_key+416>`,
 * `0x1b8e3a(%rip)        # 0xffffffff82a0b3c0 <jiffies>`).
 */
export function parseAttOperands(mnemonic: string, operandText: string): ParsedOperands {
  let text = operandText.slice(0, 1000);
  const result: ParsedOperands = { operands: [] };
  const hash = text.indexOf('#');
  if (hash >= 0) {
    const comment = COMMENT.exec(text.slice(hash));
    if (comment) result.commentAddress = BigInt(comment[1]!);
    text = text.slice(0, hash);
  }
  // gdb annotations such as `[FTRACE NOP]` are not operands.
  text = text.replace(/\s*\[[A-Z][A-Z ]*\]\s*$/, '').trim();
  if (text === '') return result;
  const branch = isBranchMnemonic(mnemonic);
  // `callq 0xffffffff810653c0 <get_user_pages_fast>`: the symbol may contain commas (`<foo,bar>` never
  // happens in practice), so the target is parsed whole before splitting.
  const pieces = branch && ADDRESS_WITH_SYMBOL.test(text) ? [text] : splitAttOperands(text);
  for (const piece of pieces) {
    const op = parseAttOperand(piece, branch);
    result.operands.push(op);
    if (op.kind === 'memory' && !result.memory) result.memory = op.memory;
    if (op.kind === 'immediate' && result.immediate === undefined) result.immediate = op.value;
    if (op.kind === 'address' && result.target === undefined) result.target = op.value;
  }
  return result;
}

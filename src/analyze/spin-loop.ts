/**
 * What the instructions around a stopped RIP say about a busy-wait loop: the `pause`, the load of
 * the lock word (`mov (%r12),%rax`), the bit tested (`test $0x1000000,%eax` → bit 24), the source
 * line (`bit_spinlock.h: 30`) and, nearby, the acquire (`lock btsl $0x18,(%r12)`). Reads the
 * model's instructions (from `dis` in a transcript, or decoded from a dump); never parses text.
 */

import { loopThrough } from '../kernel/locks/spin-target.js';
import type { CodeView, Instruction, MemoryOperand, RegisterSet } from '../model/index.js';

export interface SpinLoop {
  /** The instruction at the RIP (next to execute). */
  at?: Instruction;
  pause?: Instruction;
  /** The instruction that reads the lock word from memory. */
  load?: Instruction;
  operand?: MemoryOperand;
  /** The bit-test (`test $imm`, `bt $n`). */
  test?: Instruction;
  bit?: number;
  /** A branch back to the loop start. */
  backJump?: Instruction;
  /** Source file of the loop when `dis -l` printed it. */
  source?: string;
  /** Where the instruction evidence came from. */
  instructions: Instruction[];
  /** The control flow through the RIP comes back to it (the instructions are that cycle). */
  closed?: boolean;
  /** Closed, and no conditional branch in it: a loop that waits for nothing (`pause; jmp`). */
  endless?: boolean;
  /** The code was decoded at a stand-in address (a log without RIP's address): see loop-code.ts. */
  relativeTo?: { fn: string; base: bigint };
}

const X86_REG64: Record<string, string> = {
  eax: 'rax',
  ebx: 'rbx',
  ecx: 'rcx',
  edx: 'rdx',
  esi: 'rsi',
  edi: 'rdi',
  ebp: 'rbp',
  esp: 'rsp',
  ax: 'rax',
  al: 'rax',
  bx: 'rbx',
  bl: 'rbx',
  cx: 'rcx',
  cl: 'rcx',
  dx: 'rdx',
  dl: 'rdx',
};

/** `%r12d` / `%eax` / `r12` → the 64-bit register name the model's RegisterSet uses. */
export function register64(name: string): string {
  const n = name.replace(/^%/, '').toLowerCase();
  if (/^r\d+[dwb]$/.test(n)) return n.slice(0, -1);
  return X86_REG64[n] ?? n;
}

function singleBit(value: bigint): number | undefined {
  if (value <= 0n || (value & (value - 1n)) !== 0n) return undefined;
  let bit = 0;
  for (let v = value; v > 1n; v >>= 1n) bit++;
  return bit;
}

/** The bit a test/bt instruction checks, if a single bit. */
export function testedBit(ins: Instruction): number | undefined {
  if (ins.immediate === undefined) return undefined;
  if (/^bt[lqw]?$/.test(ins.mnemonic)) return Number(ins.immediate);
  if (/^(lock\s+)?bts[lqw]?$/.test(ins.mnemonic)) return Number(ins.immediate);
  if (/^test[bwlq]?$/.test(ins.mnemonic)) return singleBit(ins.immediate);
  return undefined;
}

const LOADS = /^(mov|test|cmp|bt)[bwlq]?$|^movz|^movs/;

/** `mov %rax,(%rbx)` / `movb $0x4,(%r12)`: the memory operand is the destination (AT&T: last). */
function isStore(ins: Instruction): boolean {
  if (!/^mov[bwlq]?$/.test(ins.mnemonic)) return false;
  const last =
    ins.operands
      .replace(/\s*#.*$/, '')
      .split(',')
      .pop() ?? '';
  return last.includes('(') || /^-?0x[0-9a-f]+$/.test(last.trim());
}

/** x86_64 KASAN: shadow byte = (address >> 3) + 0xdffffc0000000000 (KASAN_SHADOW_OFFSET). */
const KASAN_SHADOW_OFFSET = 0xdffffc0000000000n;

/**
 * A KASAN instrumentation read of a shadow byte (`cmpb $0x0,(%rax,%r12,1)` with R12 =
 * 0xdffffc0000000000, or the offset as displacement): the sanitizer's check, not the loop's word.
 * The shadow's address range alone proves nothing: a randomized vmemmap can lie there too.
 */
function isShadowRead(ins: Instruction, regs: RegisterSet | undefined): boolean {
  const op = ins.memory;
  if (!op) return false;
  if (BigInt.asUintN(64, op.displacement) === KASAN_SHADOW_OFFSET) return true;
  const values = [op.base, op.index].map((r) => (r ? regs?.values[register64(r)] : undefined));
  return values.some((v) => v === KASAN_SHADOW_OFFSET);
}

export function readSpinLoop(
  code: CodeView | undefined,
  rip: bigint | undefined,
  regs?: RegisterSet,
): SpinLoop | undefined {
  if (!code || rip === undefined) return undefined;
  const all = code
    .around(rip, 32, 24)
    .slice()
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const idx = all.findIndex((i) => i.address === rip);
  if (idx < 0) return undefined;
  // The loop itself when the control flow through the RIP closes (the load may sit far from the
  // RIP, e.g. `pause; jmp` back to `mov (%rbx),%eax; test; jne`), else the instructions around it.
  const cycle = loopThrough(code, rip);
  const window = cycle ?? all.slice(Math.max(0, idx - 4), idx + 4);
  const loop: SpinLoop = { at: all[idx]!, instructions: window };
  if (cycle) {
    loop.closed = true;
    loop.endless = !cycle.some((i) => /^(j(?!mp)|loop)/.test(i.mnemonic));
  }
  loop.pause = window.find((i) => i.mnemonic === 'pause' || /^rep\s*nop/.test(i.mnemonic));
  loop.backJump = window.find(
    (i) => /^j/.test(i.mnemonic) && i.target !== undefined && i.target <= rip && i.address >= rip,
  );
  loop.test = window.find((i) => testedBit(i) !== undefined && !/bts/.test(i.mnemonic));
  if (loop.test) {
    const bit = testedBit(loop.test);
    if (bit !== undefined) loop.bit = bit;
  }
  // The load: the test itself when it reads memory, else the closest memory read at or before it.
  const before = window.filter((i) => i.address <= (loop.test?.address ?? rip));
  loop.load = [...before]
    .reverse()
    .find(
      (i) =>
        i.memory &&
        LOADS.test(i.mnemonic) &&
        !/^lea/.test(i.mnemonic) &&
        !isStore(i) &&
        !isShadowRead(i, regs),
    );
  if (loop.load?.memory) loop.operand = loop.load.memory;
  const sources = window.map((i) => i.source).filter((s): s is string => s !== undefined);
  loop.source = sources.find((s) => /bit_spinlock/.test(s)) ?? sources.find((s) => /spinlock|bitops/.test(s));
  return loop.pause || loop.backJump || loop.load ? loop : undefined;
}

/** True when the loop is the bit_spin_lock() pattern: a single-bit test of a word, with a pause. */
export function isBitSpin(loop: SpinLoop): boolean {
  if (loop.source && /bit_spinlock/.test(loop.source)) return true;
  return loop.bit !== undefined && loop.operand !== undefined && loop.pause !== undefined;
}

/**
 * The address a memory operand refers to with these registers: `disp(base,index,scale)`, or for
 * RIP-relative operands the instruction's end plus the displacement (or the address the
 * disassembler printed). Undefined when a register it needs was not saved.
 */
export function operandAddress(
  op: MemoryOperand & { absolute?: bigint },
  regs: RegisterSet | undefined,
  ins?: Instruction,
): bigint | undefined {
  if (op.absolute !== undefined) return op.absolute;
  if (op.ripRelative) {
    if (!ins || ins.length === undefined) return undefined;
    return wrap(ins.address + BigInt(ins.length) + op.displacement);
  }
  let address = op.displacement;
  if (op.base) {
    const v = regs?.values[register64(op.base)];
    if (v === undefined) return undefined;
    address += v;
  }
  if (op.index) {
    const v = regs?.values[register64(op.index)];
    if (v === undefined) return undefined;
    address += v * BigInt(op.scale ?? 1);
  }
  return wrap(address);
}

function wrap(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}

export function describeOperand(op: MemoryOperand): string {
  if (op.ripRelative)
    return `${op.displacement >= 0n ? '0x' : '-0x'}${(op.displacement < 0n ? -op.displacement : op.displacement).toString(16)}(%rip)`;
  const disp =
    op.displacement === 0n
      ? ''
      : `${op.displacement < 0n ? '-' : ''}0x${(op.displacement < 0n ? -op.displacement : op.displacement).toString(16)}`;
  const inner = [
    op.base ? `%${op.base.replace(/^%/, '')}` : '',
    op.index ? `,%${op.index.replace(/^%/, '')}` : '',
    op.scale && op.index ? `,${op.scale}` : '',
  ].join('');
  return `${disp}(${inner})`;
}

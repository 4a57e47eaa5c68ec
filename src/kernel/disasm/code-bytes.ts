/**
 * The `Code:` bytes an oops or NMI backtrace prints around RIP, decoded into the model's
 * Instructions. x86 cannot be decoded backwards, and the kernel prints a fixed number of bytes
 * before RIP (42 on x86_64, from an arbitrary boundary), so the decode starts at the first byte
 * from which the instruction stream lands exactly on the marked byte — the resynchronisation
 * scripts/decodecode does by hand. A view over several such windows answers the analyzers'
 * `around()` questions as a dump's code view would. Public names: decodeCodeBytes, CodeBytesView,
 * CodeWindow.
 */

import type { CodeBytes, Evidence } from '../../model/index.js';
import type { CodeView, Instruction, SymbolView } from '../../model/memory.js';
import { decodeInstructions } from './decode.js';

/** Bytes printed after the marked one are decoded too, but only whole instructions are kept. */
const MAX_CODE_BYTES = 256;

export interface CodeWindow {
  /** Address of the marked byte (RIP). */
  rip: bigint;
  instructions: Instruction[];
}

/**
 * Instructions of `code` with the marked byte at `rip`, or undefined when the bytes are unmarked,
 * too long, or no start lands on the mark. `fn` names the function RIP is in, with RIP's offset,
 * so that each instruction carries `fn+offset` when no symbol table is at hand.
 */
export interface CodeBytesOptions {
  symbols?: SymbolView;
  fn?: string;
  ripOffset?: number;
  /**
   * RIP's real address is unknown and `rip` is a stand-in: addresses in the operand text (branch
   * targets, RIP-relative comments) are printed as `fn+0x…` from this base instead of as numbers.
   */
  relativeTo?: { fn: string; base: bigint };
}

export function decodeCodeBytes(
  code: CodeBytes,
  rip: bigint,
  options: CodeBytesOptions = {},
): CodeWindow | undefined {
  const mark = code.faultIndex;
  if (mark === undefined || code.bytes.length > MAX_CODE_BYTES || mark >= code.bytes.length) return undefined;
  const bytes = Uint8Array.from(code.bytes);
  const decodeOptions = options.symbols ? { symbols: options.symbols } : {};
  for (let skip = 0; skip <= mark; skip++) {
    const start = rip - BigInt(mark - skip);
    const list = decodeInstructions(bytes.subarray(skip), start, decodeOptions);
    const at = list.findIndex((i) => i.address === rip);
    if (at < 0 || list.slice(0, at).some((i) => i.mnemonic === '(bad)')) continue;
    // The last instruction may be cut by the end of the printed bytes: drop it.
    const end = rip + BigInt(code.bytes.length - mark);
    const whole = list.filter((i) => i.address + BigInt(i.length ?? 1) <= end && i.mnemonic !== '(bad)');
    if (!whole.some((i) => i.address === rip)) return undefined;
    return { rip, instructions: whole.map((i) => fromLog(i, rip, code.evidence, options)) };
  }
  return undefined;
}

/** Evidence and names for an instruction decoded from a log line rather than from a dump's memory. */
function fromLog(
  ins: Instruction,
  rip: bigint,
  line: Evidence | undefined,
  options: CodeBytesOptions,
): Instruction {
  const out: Instruction = { ...ins };
  const rel = options.relativeTo;
  if (rel) out.operands = relativeText(out.operands, rel);
  if (out.fn === undefined && options.fn !== undefined && options.ripOffset !== undefined) {
    const offset = options.ripOffset + Number(ins.address - rip);
    if (offset >= 0) {
      out.fn = options.fn;
      out.offset = offset;
    }
  }
  const where =
    out.fn !== undefined
      ? `<${out.fn}+${out.offset}>`
      : `RIP${ins.address >= rip ? '+' : '-'}${Math.abs(Number(ins.address - rip))}`;
  const text = `${where}: ${out.mnemonic} ${out.operands}`.trimEnd();
  out.evidence = {
    source: 'log',
    ...(line?.line !== undefined ? { line: line.line } : {}),
    text,
    note: 'decoded from the Code: bytes printed in the log',
  };
  return out;
}

/** `jne 0x100000000053` / `# 0x1000000023b0` at a stand-in base → `fn+0x53` / `# fn+0x23b0`. */
function relativeText(operands: string, rel: { fn: string; base: bigint }): string {
  return operands.replace(/0x([0-9a-f]{9,16})\b/g, (whole, digits: string) => {
    const d = BigInt(`0x${digits}`) - rel.base;
    if (d < -0x100000n || d > 0x100000000n) return whole;
    return d < 0n ? `${rel.fn}-0x${(-d).toString(16)}` : `${rel.fn}+0x${d.toString(16)}`;
  });
}

/** A CodeView over decoded `Code:` windows: `around()` answers from the window holding the address. */
export class CodeBytesView implements CodeView {
  constructor(private readonly windows: CodeWindow[]) {}

  around(address: bigint, before: number, after: number): Instruction[] {
    const window = this.windows.find((w) => w.instructions.some((i) => i.address === address));
    if (!window) return [];
    const lo = address - BigInt(Math.max(0, before));
    const hi = address + BigInt(Math.max(1, after));
    return window.instructions.filter((i) => i.address >= lo && i.address < hi);
  }
}

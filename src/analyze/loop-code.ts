/**
 * The instructions around the RIP where a stack stopped, from whatever the input has: the model's
 * code view (a dump's kernel text, a transcript's `dis`), else the `Code:` bytes a console log
 * printed with the registers, decoded by kernel/disasm. A log rarely prints RIP as a number
 * (`RIP: 0010:f+0x45/0x60`): then the bytes are decoded at a stand-in address below any kernel
 * address, and addresses in them (a RIP-relative operand's target) are only known relative to the
 * function, `f+0x23b0`, which is how they are reported.
 */

import { CodeBytesView, decodeCodeBytes } from '../kernel/disasm/code-bytes.js';
import type { CodeBytes, CodeView, Crash } from '../model/index.js';
import type { Location } from './frames.js';

const KERNEL_MIN = 0xffff800000000000n;
/** Stand-in address of a log's RIP function start: far below kernel space, never taken for a kernel address. */
const STAND_IN = 0x100000000000n;

export interface LoopCode {
  code: CodeView;
  rip: bigint;
  /** Set when RIP's real address is unknown: an address `a` of this code means `fn + (a - base)`. */
  relativeTo?: { fn: string; base: bigint };
}

const decoded = new WeakMap<CodeBytes, Map<bigint, CodeView | null>>();

export function loopCode(crash: Crash, loc: Location): LoopCode | undefined {
  if (crash.code && loc.address !== undefined) return { code: crash.code, rip: loc.address };
  const regs = loc.regs;
  const bytes = regs?.code;
  if (!regs || !bytes || (regs.arch !== undefined && regs.arch !== 'x86_64')) return undefined;
  const start = loc.fn !== undefined ? functionStart(crash, loc.fn) : undefined;
  const real =
    loc.address ??
    regs.values.rip ??
    (start !== undefined && loc.offset !== undefined ? start + BigInt(loc.offset) : undefined);
  let rip: bigint;
  let relativeTo: LoopCode['relativeTo'];
  if (real !== undefined && real >= KERNEL_MIN) rip = real;
  else if (loc.fn !== undefined && loc.offset !== undefined) {
    rip = STAND_IN + BigInt(loc.offset);
    relativeTo = { fn: loc.fn, base: STAND_IN };
  } else return undefined;
  let byRip = decoded.get(bytes);
  if (!byRip) {
    byRip = new Map();
    decoded.set(bytes, byRip);
  }
  let view = byRip.get(rip);
  if (view === undefined) {
    const options: Parameters<typeof decodeCodeBytes>[2] = {};
    if (crash.symbols && !relativeTo) options.symbols = crash.symbols;
    if (loc.fn !== undefined) options.fn = loc.fn;
    if (loc.offset !== undefined) options.ripOffset = loc.offset;
    if (relativeTo) options.relativeTo = relativeTo;
    const window = decodeCodeBytes(bytes, rip, options);
    view = window ? new CodeBytesView([window]) : null;
    byRip.set(rip, view);
  }
  if (!view) return undefined;
  return relativeTo ? { code: view, rip, relativeTo } : { code: view, rip };
}

/**
 * Where a function starts, from the input: its symbol, or any frame or exception RIP that gives both
 * its address and its offset (crash's `bt` prints `lab_bitlock_spin+67` at `ffffffffc04ee0b3`).
 */
function functionStart(crash: Crash, fn: string): bigint | undefined {
  const symbol = crash.symbols?.byName(fn);
  if (symbol) return symbol.address;
  for (const stack of crash.stacks) {
    for (const ex of stack.exceptions) {
      const rip = ex.regs.values.rip;
      if (ex.ripFunction === fn && ex.ripOffset !== undefined && rip !== undefined && rip >= KERNEL_MIN)
        return rip - BigInt(ex.ripOffset);
    }
    for (const f of stack.frames)
      if (f.fn === fn && f.offset !== undefined && f.address !== undefined && f.address >= KERNEL_MIN)
        return f.address - BigInt(f.offset);
  }
  return undefined;
}

/** `lab_bitlock_spin_irqoff+0x23b0` for an address of code decoded at a stand-in address. */
export function relativeName(address: bigint, relativeTo: NonNullable<LoopCode['relativeTo']>): string {
  const d = address - relativeTo.base;
  return `${relativeTo.fn}${d < 0n ? `-0x${(-d).toString(16)}` : `+0x${d.toString(16)}`}`;
}

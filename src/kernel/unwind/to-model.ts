/**
 * A Backtrace as the model's Stack: frames symbolized (`fn`, `offset`, `size`, `module`), the stack
 * and context each lies on, exception frames with their registers and what was entered, optional
 * `bt -f` words. Public names: StackOwner, toModelStack, frameContext, entryOf.
 */

import type { SymbolView } from '../../model/memory.js';
import type { ExceptionFrame, Frame, FrameContext, FrameWords, Stack } from '../../model/stack.js';
import { STACK_LABELS, type StackKind } from './stack-memory.js';
import type { Backtrace, BtException, BtFrame } from './walk.js';

export interface StackOwner {
  cpu?: number;
  pid?: number;
  comm?: string;
  task?: bigint;
}

/**
 * How the walk ended, for evidence notes: "to user mode" (the syscall's entry; not where the CPU
 * was stopped — "stopped: user mode" read as if it were), "to the end of the stack", or why not.
 */
export function walkEnd(stop: string): string {
  if (stop === 'user mode') return 'to user mode';
  if (stop === 'end of stack') return 'to the end of the stack';
  return `until: ${stop}`;
}

export function frameContext(kind: StackKind): FrameContext {
  switch (kind) {
    case 'task':
      return 'task';
    case 'irq':
      return 'irq';
    case 'nmi':
      return 'nmi';
    case 'unknown':
      return 'unknown';
    default:
      return 'exception';
  }
}

/** Symbol for a frame: return addresses are looked up at pc-1 (a call at a function's end). */
function symbolize(
  f: { pc: bigint; exact: boolean },
  symbols: SymbolView,
): Pick<Frame, 'fn' | 'offset' | 'size' | 'module'> {
  const hit = symbols.lookup(f.exact ? f.pc : f.pc - 1n);
  if (!hit) return {};
  const offset = f.exact ? hit.offset : hit.offset + 1;
  return {
    fn: hit.symbol.name,
    offset,
    ...(hit.symbol.size !== undefined ? { size: hit.symbol.size } : {}),
    ...(hit.symbol.module ? { module: hit.symbol.module } : {}),
  };
}

/** What the pt_regs was saved by: the NMI, an interrupt, a syscall from user space, an exception. */
export function entryOf(e: BtException, crossingFn: string | undefined): ExceptionFrame['entry'] {
  if (e.stack === 'nmi' || crossingFn === 'asm_exc_nmi' || crossingFn === 'end_repeat_nmi') return 'nmi';
  if (e.user && crossingFn?.startsWith('entry_SYSCALL')) return 'syscall';
  if (
    crossingFn &&
    /^(asm_sysvec_|asm_common_interrupt|asm_spurious_interrupt|ret_from_intr|common_interrupt)/.test(
      crossingFn,
    )
  ) {
    return 'irq';
  }
  return crossingFn ? 'exception' : 'unknown';
}

function toFrame(f: BtFrame, symbols: SymbolView): Frame {
  return {
    ...symbolize(f, symbols),
    address: f.pc,
    stackAddress: f.slot,
    stack: STACK_LABELS[f.stack],
    reliable: f.reliable,
    context: frameContext(f.stack),
  };
}

/** Where softirqs run their handlers: `__do_softirq` until v6.9 renamed it `handle_softirqs`. */
const SOFTIRQ_ENTRIES = new Set(['__do_softirq', 'handle_softirqs']);

/**
 * x86_64 runs softirqs on the IRQ stack: the frames a softirq entry called, back to the nearest
 * register frame inside it (a hard interrupt that came on top), are softirq context.
 */
function markSoftirq(frames: Frame[], exceptions: ExceptionFrame[]): void {
  frames.forEach((f, j) => {
    if (f.context !== 'irq' || !f.fn || !SOFTIRQ_ENTRIES.has(baseFn(f.fn))) return;
    const floor = Math.max(0, ...exceptions.filter((e) => e.beforeFrame <= j).map((e) => e.beforeFrame));
    for (let k = j; k >= floor && frames[k]!.context === 'irq'; k--) frames[k]!.context = 'softirq';
  });
}

const baseFn = (name: string): string => name.split('.')[0]!;

export function toModelStack(
  bt: Backtrace,
  symbols: SymbolView,
  owner: StackOwner,
  options: { regs?: Record<string, bigint>; words?: (address: bigint) => bigint | undefined } = {},
): Stack {
  const frames = bt.frames.map((f) => toFrame(f, symbols));
  const exceptions: ExceptionFrame[] = bt.exceptions.map((e) => {
    const rip = e.regs.rip;
    const hit = rip !== undefined && !e.user ? symbols.lookup(rip) : undefined;
    const crossing = frames[e.beforeFrame - 1]?.fn;
    return {
      beforeFrame: e.beforeFrame,
      ...(hit ? { ripFunction: hit.symbol.name, ripOffset: hit.offset } : {}),
      regs: {
        arch: 'x86_64',
        values: e.regs,
        evidence: { source: 'dump', address: e.address, note: 'pt_regs' },
      },
      entry: entryOf(e, crossing),
      evidence: {
        source: 'dump',
        ...(e.address !== undefined ? { address: e.address } : {}),
        note: e.partial ? 'IRET frame' : 'pt_regs',
      },
    };
  });
  markSoftirq(frames, exceptions);
  const stack: Stack = {
    ...(owner.cpu !== undefined ? { cpu: owner.cpu } : {}),
    ...(owner.pid !== undefined ? { pid: owner.pid } : {}),
    ...(owner.comm !== undefined ? { comm: owner.comm } : {}),
    ...(owner.task !== undefined ? { task: owner.task } : {}),
    origin: 'unwind',
    frames,
    exceptions,
    ...(options.regs ? { regs: { arch: 'x86_64', values: options.regs } } : {}),
    ...(bt.truncated ? { partial: true } : {}),
    evidence: { source: 'dump', note: `unwound (ORC) ${walkEnd(bt.stop)}` },
  };
  if (options.words) addFrameWords(stack, options.words);
  return stack;
}

/**
 * crash `bt -f`: the words between a frame's slot and the next frame's slot on the same stack, read
 * with `readU64`; stored in `stack.frameWords`.
 */
export function addFrameWords(stack: Stack, readU64: (address: bigint) => bigint | undefined): void {
  const out: FrameWords[] = [];
  stack.frames.forEach((f, i) => {
    const next = stack.frames[i + 1];
    const from = f.stackAddress;
    const to = next?.stackAddress;
    if (
      from === undefined ||
      to === undefined ||
      next?.stack !== f.stack ||
      to <= from ||
      to - from > 0x2000n
    )
      return;
    const words: { address: bigint; value: bigint }[] = [];
    for (let a = from + 8n; a <= to; a += 8n) {
      const v = readU64(a);
      if (v === undefined) break;
      words.push({ address: a, value: v });
    }
    if (words.length > 0) out.push({ frame: i, words });
  });
  stack.frameWords = out;
}

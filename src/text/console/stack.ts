/**
 * Reads a printed stack from a run of lines: frames, context markers (`<IRQ>`, `<NMI>`, `<TASK>`,
 * old `<EOI>`), and the register blocks x86 prints inside a trace where an interrupt or exception
 * entered (`RIP: 0010:native_safe_halt+0xb/0x10` + registers). Frame 0 is where the CPU was: when
 * a register block precedes the trace, its RIP becomes frame 0, and each in-trace block adds its
 * interrupted RIP as the first frame of the interrupted context.
 */

import type {
  Evidence,
  ExceptionFrame,
  Frame,
  FrameContext,
  RegisterSet,
  Stack,
  StackOrigin,
} from '../../model/index.js';
import { parseTraceLine } from './frames.js';
import { addRegisters, isRegisterLine, parseRipLine, type RipLine } from './registers.js';

export interface TextLine {
  text: string;
  line?: number;
}

/** The NMI entry frames a 3.x kernel prints before the interrupted function's `?` lines. */
const NMI_ENTRY = /^(end_repeat_nmi|repeat_nmi|first_nmi|nmi_restore|do_nmi|nmi)$/;

/**
 * 3.x kernels print no registers for the function an NMI interrupted: its RIP shows only as `?`
 * frames (often repeated) right after the NMI entry and before `<<EOE>>`. Those become the
 * interrupted context's first frame, reliable, with an exception frame pointing at it — what a
 * `RIP:` line gives on newer kernels.
 */
function interruptedByNmi(frames: Frame[], exceptions: ExceptionFrame[]): void {
  let first = frames.length;
  while (first > 0 && !frames[first - 1]!.reliable) first--;
  if (first === frames.length || first === 0 || !NMI_ENTRY.test(frames[first - 1]!.fn ?? '')) return;
  const rip = frames[frames.length - 1]!;
  if (!rip.fn || frames.slice(first).some((f) => f.fn !== rip.fn || f.offset !== rip.offset)) return;
  frames.splice(first, frames.length - first, { ...rip, reliable: true, context: 'task' });
  const ex: ExceptionFrame = { beforeFrame: first, regs: { values: {} }, entry: 'nmi', ripFunction: rip.fn };
  if (rip.offset !== undefined) ex.ripOffset = rip.offset;
  if (rip.evidence)
    ex.evidence = { ...rip.evidence, note: 'the NMI-interrupted function (printed as `?` frames)' };
  exceptions.push(ex);
}

/** What the entry frame printed just before an in-trace register block says was entered. */
function entryOf(fn: string | undefined): ExceptionFrame['entry'] | undefined {
  if (!fn) return undefined;
  if (fn.includes('nmi')) return 'nmi';
  if (
    /^asm_(?:sysvec|common_interrupt|spurious)|apic_timer_interrupt|^(?:common_)?interrupt|irq_entries|^ret_from_intr$/.test(
      fn,
    )
  )
    return 'irq';
  if (/^asm_exc_|page_fault|^invalid_op$|^(?:general_protection|divide_error|int3|debug|do_trap)/.test(fn))
    return 'exception';
  if (/entry_SYSCALL|^system_call/.test(fn)) return 'syscall';
  return undefined;
}

/** Lines of noise tolerated inside a trace before it is considered over. */
const MAX_NOISE = 0;

export interface ReadStack {
  stack: Stack;
  /** Index of the first line not consumed. */
  end: number;
}

function ripFrame(rip: RipLine, context: FrameContext, at: TextLine): Frame | undefined {
  if (!rip.fn) return undefined;
  const frame: Frame = { fn: rip.fn, reliable: true, context };
  if (rip.offset !== undefined) frame.offset = rip.offset;
  if (rip.size !== undefined) frame.size = rip.size;
  if (rip.module) frame.module = rip.module;
  if (rip.address !== undefined) frame.address = rip.address;
  frame.evidence = evidence(at, 'RIP');
  return frame;
}

function evidence(at: TextLine, note?: string): Evidence {
  const e: Evidence = { source: 'log', text: at.text.trim() };
  if (at.line !== undefined) e.line = at.line;
  if (note) e.note = note;
  return e;
}

/**
 * Reads frames from `lines[start]` on. `top` is the register block printed just before the trace
 * (the oops's own RIP), if any.
 */
export function readStack(
  lines: TextLine[],
  start: number,
  origin: StackOrigin,
  top?: { regs: RegisterSet; rip?: RipLine; at: TextLine },
): ReadStack {
  const frames: Frame[] = [];
  const exceptions: ExceptionFrame[] = [];
  let context: FrameContext = 'unknown';
  let noise = 0;
  let i = start;
  let pending: { regs: RegisterSet; rip?: RipLine; at: TextLine; entry: ExceptionFrame['entry'] } | undefined;
  let lastContext: FrameContext = 'unknown';
  const stack: Stack = { origin, frames, exceptions };
  if (top) {
    stack.regs = top.regs;
    const f = top.rip ? ripFrame(top.rip, 'unknown', top.at) : undefined;
    if (f) frames.push(f);
  }
  const flush = (): void => {
    if (!pending) return;
    const ex: ExceptionFrame = { beforeFrame: frames.length, regs: pending.regs, entry: pending.entry };
    if (pending.rip?.fn) {
      ex.ripFunction = pending.rip.fn;
      if (pending.rip.offset !== undefined) ex.ripOffset = pending.rip.offset;
    }
    ex.evidence = evidence(pending.at, 'exception frame');
    exceptions.push(ex);
    const f = pending.rip ? ripFrame(pending.rip, context, pending.at) : undefined;
    if (f) frames.push(f);
    pending = undefined;
  };
  for (; i < lines.length; i++) {
    const at = lines[i]!;
    const parsed = parseTraceLine(at.text);
    // A marker printed before a frame on the same line is taken first.
    const steps = parsed?.type === 'frame' && parsed.after ? [parsed.after, parsed] : parsed ? [parsed] : [];
    let ended = false;
    for (const item of steps) {
      noise = 0;
      if (item.type === 'end') {
        flush();
        ended = true;
        break;
      }
      if (item.type === 'enter') {
        context = item.context;
        continue;
      }
      if (item.type === 'leave') {
        if (context === 'nmi' && !pending) interruptedByNmi(frames, exceptions);
        lastContext = context;
        context = 'task';
        continue;
      }
      flush();
      item.frame.context = context;
      item.frame.evidence = evidence(at);
      frames.push(item.frame);
    }
    if (ended) {
      i++;
      break;
    }
    if (steps.length) continue;
    if (isRegisterLine(at.text)) {
      noise = 0;
      if (/^\s*R?IP: |^\s*pc : /.test(at.text)) {
        flush();
        const entry =
          entryOf(frames[frames.length - 1]?.fn) ??
          (lastContext === 'nmi' ? 'nmi' : lastContext === 'irq' || context === 'irq' ? 'irq' : 'exception');
        lastContext = 'unknown';
        pending = { regs: { values: {} }, at, entry };
        const rip = parseRipLine(at.text);
        if (rip) pending.rip = rip;
      }
      if (pending) addRegisters(pending.regs, at.text, at.line);
      continue;
    }
    if (++noise > MAX_NOISE) break;
  }
  flush();
  if (frames.length === 0 && !top) stack.partial = true;
  const first = lines[start];
  if (first) stack.evidence = evidence(first);
  if (first?.line !== undefined && lines[i - 1]?.line !== undefined)
    stack.evidence!.endLine = lines[i - 1]!.line;
  return { stack, end: i };
}

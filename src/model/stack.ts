/**
 * Stacks made of frames, the common shape of an oops Call Trace, an NMI backtrace, crash's `bt`
 * and an unwound task in a dump. Frames are ordered innermost first (frame 0 = where the CPU was).
 */

import type { Evidence } from './evidence.js';
import type { RegisterSet } from './registers.js';

/** What the CPU was doing when it pushed this frame. */
export type FrameContext = 'task' | 'irq' | 'softirq' | 'nmi' | 'exception' | 'user' | 'unknown';

export interface Frame {
  /** Function name as printed/resolved, compiler suffixes kept (`foo.isra.3`, `bar.cold`). */
  fn?: string;
  /** Offset into the function, bytes. */
  offset?: number;
  /** Function size when printed (`+0x1a/0x40`). */
  size?: number;
  module?: string;
  /** Return address / PC of the frame. */
  address?: bigint;
  /** Stack slot address (crash's `#3 [ffff882f10c47db0]`). */
  stackAddress?: bigint;
  /** The stack the slot lies on, as crash names it (`IRQ stack`, `NMI exception stack`, `task stack`). */
  stack?: string;
  /** False for `? foo` frames (stack scan guesses) and powerpc `(unreliable)`. */
  reliable: boolean;
  context: FrameContext;
  /** A symbolizer's inline pseudo-frame (`foo [inline]`). */
  inline?: boolean;
  /** Source location when symbolized (`fs/x.c:123`). */
  source?: string;
  evidence?: Evidence;
}

/** An exception/interrupt frame embedded in a stack (crash's `[exception RIP: …]` block, pt_regs). */
export interface ExceptionFrame {
  /** Index of the first frame that belongs to the interrupted context. */
  beforeFrame: number;
  /** The interrupted instruction, symbolized (`put_compound_page+336`). */
  ripFunction?: string;
  ripOffset?: number;
  regs: RegisterSet;
  /** What was entered: NMI, IRQ, an exception, or a syscall from user space. */
  entry?: 'nmi' | 'irq' | 'exception' | 'syscall' | 'unknown';
  /** The source doubts the frame (crash: "WARNING: possibly bogus exception frame"); its registers may be garbage. */
  bogus?: boolean;
  evidence?: Evidence;
}

/** Raw words of a frame as `bt -f` prints them, keyed by frame index. */
export interface FrameWords {
  frame: number;
  words: { address: bigint; value: bigint }[];
}

export type StackOrigin =
  | 'oops' // Call Trace of an oops/BUG/WARNING
  | 'nmi-backtrace' // "NMI backtrace for cpu N"
  | 'lockup' // soft lockup / RCU stall report
  | 'hung-task' // "INFO: task X blocked"
  | 'sysrq' // sysrq-t/w dumps, "Showing all locks held"
  | 'crash-bt' // crash's bt
  | 'unwind' // ktriage's own unwinder on a dump
  | 'other';

export interface Stack {
  /** Owner identity, as far as known. */
  cpu?: number;
  pid?: number;
  comm?: string;
  /** Address of the task_struct when known (crash's TASK:). */
  task?: bigint;
  origin: StackOrigin;
  frames: Frame[];
  exceptions: ExceptionFrame[];
  /** Registers at the innermost frame (top of stack), e.g. the oops RIP line. */
  regs?: RegisterSet;
  frameWords?: FrameWords[];
  /** True when the stack is known to be cut (grep output, truncated log). */
  partial?: boolean;
  evidence?: Evidence;
}

/** The frames a human reads: reliable ones, in order. */
export function reliableFrames(stack: Stack): Frame[] {
  return stack.frames.filter((f) => f.reliable);
}

/**
 * A whole backtrace from one starting state: ORC steps through every stack (IRQ, exception, task),
 * recording each frame's PC, where its return address was found (crash's `[stack address]`) and
 * the register frames crossed; where ORC has no answer, the kernel's frame-pointer guess, then a
 * scan of the stack for a return address ORC can continue from (frames found so are unreliable, the
 * `?` of crash's `bt -t` and the kernel's own traces). Public names: UnwindEnv, BtFrame,
 * BtException, Backtrace, walkStack, MAX_FRAMES.
 */

import type { SymbolView } from '../../model/memory.js';
import { callSiteBefore } from './call-site.js';
import {
  framePointerStep,
  type OrcStepOptions,
  orcStep,
  type UnwindRegs,
  type UnwindState,
} from './orc-step.js';
import type { OrcTables } from './orc-table.js';
import { isUserMode } from './pt-regs.js';
import type { StackKind, StackMemory } from './stack-memory.js';
import type { ReadVirt } from './table-bytes.js';

export const MAX_FRAMES = 256;
/** Words examined when scanning for a place to resume (a 16 KiB stack has 2048). */
const MAX_SCAN_WORDS = 2048;

export interface UnwindEnv {
  tables: OrcTables;
  symbols: SymbolView;
  /** Kernel or module text (a return address can only point there). */
  isText(address: bigint): boolean;
  /** Code bytes (to check that a scanned word follows a call instruction); optional. */
  readText?: ReadVirt;
  /** The kernel was built with frame pointers instead of ORC: frame-pointer frames are not guesses. */
  framePointerKernel?: boolean;
  step: OrcStepOptions;
}

export interface BtFrame {
  /** The frame's PC: the interrupted/saved instruction when `exact`, else a return address. */
  pc: bigint;
  /** Where `pc` was read from (return address slot), or the frame's SP for exact frames. */
  slot: bigint;
  exact: boolean;
  /** The stack `slot` lies on. */
  stack: StackKind;
  reliable: boolean;
  /** How the frame was found. */
  how: 'regs' | 'orc' | 'fp' | 'call-site' | 'scan' | 'search';
}

export interface BtException {
  /** Index of the first frame of the interrupted context (= frames.length when it was user mode). */
  beforeFrame: number;
  /** Address of the pt_regs (undefined for registers from a dump note). */
  address?: bigint;
  regs: Record<string, bigint>;
  /** Only the IRET frame was saved (ORC REGS_PARTIAL). */
  partial: boolean;
  user: boolean;
  /** The stack the pt_regs lies on. */
  stack: StackKind;
}

export interface Backtrace {
  frames: BtFrame[];
  exceptions: BtException[];
  /** Why the walk ended ("end of stack", "user mode", or an error). */
  stop: string;
  /** True when the walk ended on an error rather than a recognised end. */
  truncated: boolean;
}

function exceptionOf(regs: UnwindRegs, beforeFrame: number, mem: StackMemory): BtException {
  return {
    beforeFrame,
    ...(regs.address !== undefined ? { address: regs.address } : {}),
    regs: regs.values,
    partial: !regs.full,
    user: isUserMode(regs.values),
    stack: regs.address !== undefined ? mem.kindOf(regs.address) : 'unknown',
  };
}

/** Clone of the mutable state (tries that may fail must not disturb the real one). */
function copy(s: UnwindState): UnwindState {
  return { ...s };
}

type CallCheck = 'calls-this-function' | 'call' | 'unknown';

/** Does the code before `ret` call `callee` (certain caller), some function, or nothing known? */
function callSiteOf(ret: bigint, callee: bigint | undefined, env: UnwindEnv): CallCheck {
  if (!env.readText) return 'unknown';
  const site = callSiteBefore(ret, env.readText);
  if (site.kind === 'direct')
    return callee !== undefined && site.target === callee ? 'calls-this-function' : 'call';
  return site.kind === 'indirect' ? 'call' : 'unknown';
}

/**
 * Looks upward from `from` on the same stack for the return address of the frame ORC could not
 * step over. Best: a word whose call instruction calls the function `state.ip` is in (the frame is
 * then certain, as for functions objtool left without ORC data, e.g. `__crash_kexec`); else the
 * first call-site word from which ORC can step on. `certain` says which.
 */
function resumeByScan(
  state: UnwindState,
  mem: StackMemory,
  env: UnwindEnv,
): { state: UnwindState; slot: bigint; certain: boolean } | undefined {
  const region = mem.regionOf(state.sp);
  if (!region) return undefined;
  const fn = env.symbols.lookup(state.signal ? state.ip : state.ip - 1n);
  const callee = fn ? fn.symbol.address : undefined;
  let fallback: { state: UnwindState; slot: bigint; certain: boolean } | undefined;
  let at = (state.sp + 7n) & ~7n;
  for (let n = 0; n < MAX_SCAN_WORDS && at + 8n <= region.end; n++, at += 8n) {
    const w = mem.word(at);
    if (w === undefined || !env.isText(w)) continue;
    const check = callSiteOf(w, callee, env);
    if (check === 'unknown' && env.readText) continue;
    const candidate: UnwindState = { ip: w, sp: at + 8n, bp: state.bp, signal: false };
    const r = orcStep(copy(candidate), env.tables, mem, env.step);
    const steps = r.kind === 'frame' || (r.kind === 'end' && r.why === 'end of stack');
    if (check === 'calls-this-function') return { state: candidate, slot: at, certain: true };
    if (steps && !fallback) fallback = { state: candidate, slot: at, certain: false };
  }
  return fallback;
}

/**
 * Unwinds from `start` (whose own frame is `first`). `start` is modified. Frames after a scan
 * resumption are kept reliable only if ORC then proceeds without further guesses.
 */
export function walkStack(
  start: UnwindState,
  first: Omit<BtFrame, 'stack'>,
  mem: StackMemory,
  env: UnwindEnv,
): Backtrace {
  const frames: BtFrame[] = [{ ...first, stack: mem.kindOf(first.slot) }];
  const exceptions: BtException[] = [];
  const state = start;
  let stop = 'frame limit';
  let truncated = true;
  let guessed = !first.reliable;
  while (frames.length < MAX_FRAMES) {
    let r = orcStep(state, env.tables, mem, env.step);
    let how: BtFrame['how'] = 'orc';
    if (r.kind === 'end') {
      stop = r.why;
      truncated = false;
      break;
    }
    if (r.kind === 'error' && r.why.startsWith('no ORC entry')) {
      const tryFp = copy(state);
      const fp = framePointerStep(tryFp, mem);
      if (fp.kind === 'frame' && env.isText(tryFp.ip)) {
        Object.assign(state, tryFp);
        r = fp;
        how = 'fp';
        if (!env.framePointerKernel) guessed = true;
      }
    }
    if (r.kind === 'error') {
      const resumed = resumeByScan(state, mem, env);
      if (!resumed) {
        stop = r.why;
        break;
      }
      Object.assign(state, resumed.state);
      state.regs = undefined;
      state.prevRegs = undefined;
      if (!resumed.certain) guessed = true;
      frames.push({
        pc: state.ip,
        slot: resumed.slot,
        exact: false,
        stack: mem.kindOf(resumed.slot),
        reliable: resumed.certain && !guessed,
        how: resumed.certain ? 'call-site' : 'scan',
      });
      continue;
    }
    if (r.crossed) {
      exceptions.push(exceptionOf(r.crossed, frames.length, mem));
      if (isUserMode(r.crossed.values)) {
        stop = 'user mode';
        truncated = false;
        break;
      }
      frames.push({
        pc: state.ip,
        slot: state.sp,
        exact: true,
        stack: mem.kindOf(state.sp),
        reliable: !guessed,
        how,
      });
      continue;
    }
    const slot = r.slot ?? state.sp;
    frames.push({
      pc: state.ip,
      slot,
      exact: state.signal,
      stack: mem.kindOf(slot),
      reliable: !guessed,
      how,
    });
  }
  return { frames, exceptions, stop, truncated };
}

/**
 * Spinning: which CPUs/tasks busy-wait, and on what. Three kinds of evidence, strongest first:
 * the instructions of the loop at the stopped RIP (`pause`, load, bit test — see spin-loop.ts; from
 * a dump, a transcript's `dis` or a log's `Code:` bytes), the function the CPU is in (a lock slow
 * path from the table below, innermost frames only), and several CPUs stopped at the very same
 * instruction (a loop caught repeatedly). Each spinner keeps the lock address when the loop's memory
 * operand or the slow path's argument register gives it.
 *
 * Only stacks that caught a CPU in the act count (NMI backtraces, lockup reports, `bt`, unwound
 * dumps — not an oops' trace nor a sleeping task's), and only when the CPU was running code: a CPU
 * printing a report (dump_stack, the NMI-backtrace handler, printk, the detectors), idle, scheduled
 * out or in lockdep's bookkeeping is not waiting for a lock. Instrumentation called inside a loop
 * (`__sanitizer_cov_trace_pc`) is looked through to the loop's function.
 */

import { register64, writesRegister } from '../kernel/disasm/effective-address.js';
import { notALockWait } from '../kernel/locks/spin-target.js';
import { type Crash, type Evidence, type Frame, interruptsDisabled, type Stack } from '../model/index.js';
import { activityOf, caughtInTheAct, interruptedContexts, stoppedActivity } from './activity.js';
import {
  baseName,
  contextFrames,
  exceptionLocation,
  formatLocation,
  isPieceOfAnother,
  isUserRegs,
  type Location,
  locate,
  stacksOf,
  uniqueStacks,
} from './frames.js';
import { loopCode, relativeName } from './loop-code.js';
import type { Spinner } from './results.js';
import { isBitSpin, operandAddress, readSpinLoop, type SpinLoop } from './spin-loop.js';
import { defineAnalyzer, type Finding } from './types.js';

/** How a lock is waited for, by the function the CPU is in (innermost frames of the stopped context). */
export const SPIN_FUNCTIONS: Record<string, { how: string; argLock?: boolean }> = {
  native_queued_spin_lock_slowpath: { how: 'queued-spinlock', argLock: true },
  queued_spin_lock_slowpath: { how: 'queued-spinlock', argLock: true },
  __pv_queued_spin_lock_slowpath: { how: 'queued-spinlock', argLock: true },
  pv_queued_spin_lock_slowpath: { how: 'queued-spinlock', argLock: true },
  __ticket_spin_lock: { how: 'ticket-spinlock', argLock: true },
  _raw_spin_lock: { how: 'spinlock', argLock: true },
  _raw_spin_lock_irq: { how: 'spinlock', argLock: true },
  _raw_spin_lock_irqsave: { how: 'spinlock', argLock: true },
  _raw_spin_lock_bh: { how: 'spinlock', argLock: true },
  do_raw_spin_lock: { how: 'spinlock', argLock: true },
  _spin_lock: { how: 'spinlock', argLock: true },
  _spin_lock_irqsave: { how: 'spinlock', argLock: true },
  queued_read_lock_slowpath: { how: 'rwlock', argLock: true },
  queued_write_lock_slowpath: { how: 'rwlock', argLock: true },
  _raw_read_lock: { how: 'rwlock', argLock: true },
  _raw_read_lock_irqsave: { how: 'rwlock', argLock: true },
  _raw_write_lock: { how: 'rwlock', argLock: true },
  _raw_write_lock_irqsave: { how: 'rwlock', argLock: true },
  _raw_write_lock_irq: { how: 'rwlock', argLock: true },
  _raw_write_lock_bh: { how: 'rwlock', argLock: true },
  __read_lock_failed: { how: 'rwlock' },
  __write_lock_failed: { how: 'rwlock' },
  bit_spin_lock: { how: 'bit-spin-lock' },
  csd_lock_wait: { how: 'csd-lock-wait' },
  smp_call_function_many: { how: 'csd-lock-wait' },
  smp_call_function_many_cond: { how: 'csd-lock-wait' },
  smp_call_function_single: { how: 'csd-lock-wait' },
  mutex_spin_on_owner: { how: 'mutex-spin' },
  mutex_optimistic_spin: { how: 'mutex-spin' },
  osq_lock: { how: 'osq-spin' },
  rwsem_spin_on_owner: { how: 'rwsem-spin' },
  rwsem_optimistic_spin: { how: 'rwsem-spin' },
  kvm_wait: { how: 'pv-spinlock-halt' },
  pv_wait_node: { how: 'queued-spinlock' },
  pv_wait_head_or_lock: { how: 'queued-spinlock' },
  __spin_lock_debug: { how: 'spinlock', argLock: true },
};

export interface SpinResult {
  spinners: Spinner[];
  /** Spin loops read from instructions, by stack index. */
  loops: Map<number, SpinLoop>;
  /** Instructions where ≥ 2 CPUs were stopped running code (address when known). */
  sharedRips: { address?: bigint; at: string; stacks: number[] }[];
}

export const spin = defineAnalyzer<SpinResult>({
  meta: {
    id: 'spin',
    description:
      'CPUs and tasks busy-waiting: lock slow paths, bit_spin_lock loops, CSD waits, optimistic spinning',
  },
  analyze(crash) {
    const loops = new Map<number, SpinLoop>();
    const spinners: Spinner[] = [];
    const stacks = stacksOf(crash);
    const keep = new Set(uniqueStacks(crash));
    const kept = stacks
      .map((stack, index) => ({ stack, index }))
      .filter(({ index }) => keep.has(index) && !isPieceOfAnother(stacks, index));
    const candidates = kept.filter(({ stack }) => caughtInTheAct(stack));
    for (const { stack, index } of candidates) {
      const spinner = spinnerOf(crash, stack, index, loops);
      if (spinner) spinners.push(spinner);
    }
    // An oops raised inside an interrupt handler: the context the interrupt caught was running.
    for (const { stack, index } of kept) {
      if (caughtInTheAct(stack)) continue;
      for (const ex of interruptedContexts(stack)) {
        if (ex.beforeFrame >= stack.frames.length || isUserRegs(ex.regs)) continue;
        const frames = stack.frames.slice(ex.beforeFrame).filter((f) => f.reliable && f.fn !== undefined);
        const spinner = spinnerAt(crash, stack, index, loops, exceptionLocation(stack, ex), frames);
        if (spinner) {
          spinners.push(spinner);
          break;
        }
      }
    }
    // CPUs running kernel code at the same instruction (fn+offset when the input prints only that).
    const running = candidates.filter(
      ({ stack }) =>
        stack.cpu !== undefined &&
        !isUserRegs(locate(stack).regs) &&
        stoppedActivity(stack).activity === 'running',
    );
    const byRip = new Map<string, number[]>();
    for (const { stack, index } of running) {
      const loc = locate(stack);
      const where =
        loc.address !== undefined
          ? loc.address.toString(16)
          : loc.fn && loc.offset !== undefined
            ? formatLocation(loc)
            : undefined;
      if (where !== undefined) byRip.set(where, [...(byRip.get(where) ?? []), index]);
    }
    const sharedRips = [...byRip]
      .filter(([, list]) => distinctCpus(stacks, list) >= 2)
      .map(([, list]) => {
        const loc = locate(stacks[list[0]!]!);
        return {
          ...(loc.address !== undefined ? { address: loc.address } : {}),
          at: formatLocation(loc),
          stacks: list,
        };
      });
    // Same instruction on several CPUs, not already explained: a busy loop caught repeatedly.
    for (const shared of sharedRips) {
      for (const index of shared.stacks) {
        if (spinners.some((s) => s.stack === index)) continue;
        const stack = stacks[index]!;
        spinners.push(
          make(stack, index, 'busy-loop', locate(stack), [
            {
              source: 'derived',
              note: `${distinctCpus(stacks, shared.stacks)} CPUs stopped at the same instruction ${shared.at}`,
            },
          ]),
        );
      }
    }
    // A CPU stopped elsewhere in the same loop function (the one the watchdog interrupted, whose
    // RIP is a return address after an IRQ frame) spins there too.
    const loopFns = new Set(
      spinners.filter((s) => s.how === 'busy-loop').map((s) => baseName(locate(stacks[s.stack]!).fn)),
    );
    for (const { stack, index } of running) {
      if (spinners.some((s) => s.stack === index || (s.cpu === stack.cpu && s.pid === stack.pid))) continue;
      const loc = locate(stack);
      if (!loopFns.has(baseName(loc.fn))) continue;
      spinners.push(
        make(stack, index, 'busy-loop', loc, [
          { source: 'derived', note: `stopped in ${loc.fn}, the function other CPUs spin in` },
        ]),
      );
    }
    const unique = onePerCpu(spinners);
    unique.sort((a, b) => (a.cpu ?? 1e9) - (b.cpu ?? 1e9));
    return { result: { spinners: unique, loops, sharedRips }, findings: findings(unique) };
  },
});

function distinctCpus(stacks: Stack[], list: number[]): number {
  const cpus = new Set(list.map((i) => stacks[i]!.cpu).filter((c) => c !== undefined));
  const pids = new Set(list.map((i) => stacks[i]!.pid ?? `s${i}`));
  return Math.min(cpus.size, pids.size);
}

/** The same CPU (or task) found spinning twice, from two printings of its stack: kept once. */
function onePerCpu(spinners: Spinner[]): Spinner[] {
  const out: Spinner[] = [];
  for (const s of spinners) {
    const twin = out.findIndex(
      (o) =>
        (s.cpu !== undefined &&
          o.cpu === s.cpu &&
          (o.pid === s.pid || o.pid === undefined || s.pid === undefined)) ||
        (s.pid !== undefined && s.pid !== 0 && o.pid === s.pid),
    );
    if (twin < 0) out.push(s);
    else if (strength(s) > strength(out[twin]!)) out[twin] = s;
  }
  return out;
}

function strength(s: Spinner): number {
  return (
    (s.lockAddress !== undefined ? 4 : 0) +
    (s.lockName !== undefined ? 2 : 0) +
    (s.how !== 'busy-loop' ? 1 : 0) +
    (s.cpu !== undefined && s.pid !== undefined ? 0.5 : 0)
  );
}

function spinnerOf(
  crash: Crash,
  stack: Stack,
  index: number,
  loops: Map<number, SpinLoop>,
): Spinner | undefined {
  // Preempted in the middle of it: scheduled out, not spinning now.
  if (stoppedActivity(stack).activity === 'sleeping') return undefined;
  const found = spinnerAt(crash, stack, index, loops, locate(stack), contextFrames(stack));
  if (found) return found;
  // An interrupt taken on top of the loop (a timer tick when the dump was taken, the watchdog on
  // the CPU that panicked): the context it interrupted, one exception frame further out.
  const first = locate(stack).exception;
  for (const ex of stack.exceptions) {
    if (ex === first || ex.bogus || ex.entry === 'syscall' || isUserRegs(ex.regs)) continue;
    if (ex.beforeFrame >= stack.frames.length) continue;
    const loc = exceptionLocation(stack, ex);
    const frames = stack.frames.slice(ex.beforeFrame).filter((f) => f.reliable && f.fn !== undefined);
    const outer = spinnerAt(crash, stack, index, loops, loc, frames);
    if (outer) return outer;
  }
  // Old kernels print no registers for the context an interrupt caught, only `<EOI>` and its
  // frames: the first task-context frame after the interrupt's is where it was.
  const boundary = taskAfterInterrupt(stack);
  if (boundary !== undefined && stack.exceptions.length === 0) {
    const frame = stack.frames[boundary]!;
    const loc: Location = { frameIndex: boundary, fn: frame.fn! };
    if (frame.offset !== undefined) loc.offset = frame.offset;
    if (frame.address !== undefined) loc.address = frame.address;
    const frames = stack.frames.slice(boundary).filter((f) => f.reliable && f.fn !== undefined);
    return spinnerAt(crash, stack, index, loops, loc, frames);
  }
  return undefined;
}

/** Index of the first reliable task-context frame below interrupt frames, if the stack has both. */
function taskAfterInterrupt(stack: Stack): number | undefined {
  const first = stack.frames.findIndex((f) => f.reliable && f.fn !== undefined);
  if (first < 0 || !['irq', 'softirq', 'nmi'].includes(stack.frames[first]!.context)) return undefined;
  const i = stack.frames.findIndex(
    (f, j) => j > first && f.reliable && f.fn !== undefined && f.context === 'task',
  );
  return i < 0 ? undefined : i;
}

function spinnerAt(
  crash: Crash,
  stack: Stack,
  index: number,
  loops: Map<number, SpinLoop>,
  loc: Location,
  frames: Frame[],
): Spinner | undefined {
  const fns = frames.map((f) => baseName(f.fn)!);
  const act = activityOf(fns);
  if (fns.length === 0 || act.activity !== 'running') return undefined;
  const evidence: Evidence[] = [];
  // 1. The loop's instructions at the RIP (not worth decoding on the kdump/NMI stop paths).
  const code = notALockWait(fns[0]) ? undefined : loopCode(crash, loc);
  const loop = code ? readSpinLoop(code.code, code.rip, loc.regs) : undefined;
  if (loop && code?.relativeTo) loop.relativeTo = code.relativeTo;
  if (loop) loops.set(index, loop);
  const known = SPIN_FUNCTIONS[fns[act.index]!];
  // A busy-wait pauses (cpu_relax()); a loop without `pause` is a wait only inside a lock slow path
  // (a copy or a list walk loops too). A wait reads a word the loop does not move away from.
  if (loop && (loop.pause || (loop.backJump && known)) && !walksMemory(loop)) {
    // A loop inside a known slow path keeps that path's name (queued-spinlock, csd-lock-wait…).
    const how = loop.endless
      ? 'endless-loop'
      : (known?.how ?? (isBitSpin(loop) ? 'bit-spin-lock' : 'spin-loop'));
    for (const i of [loop.pause, loop.load, loop.test, loop.backJump])
      if (i?.evidence) evidence.push(i.evidence);
    const spinner = make(stack, index, how, loc, evidence);
    if (loop.operand && loop.load && !loop.endless) {
      const address = operandAddress(loop.operand, loc.regs, loop.load);
      const standIn = loop.relativeTo && (loop.operand.ripRelative || loop.operand.absolute !== undefined);
      if (address !== undefined && standIn) spinner.lockName = relativeName(address, loop.relativeTo!);
      else if (address !== undefined && looksLikeKernelAddress(address)) spinner.lockAddress = address;
    }
    if (spinner.lockAddress === undefined && spinner.lockName === undefined && known)
      lockFromArgument(spinner, known, act.index, loc);
    return spinner;
  }
  // 2. A lock slow path where the CPU is (past instrumentation called inside the loop).
  const entry = known;
  if (!entry) return undefined;
  const frame = frames[act.index];
  if (frame?.evidence) evidence.push(frame.evidence);
  const at: Location =
    act.index === 0 || !frame
      ? loc
      : { ...loc, fn: frame.fn!, ...(frame.offset !== undefined ? { offset: frame.offset } : {}) };
  const spinner = make(stack, index, entry.how, at, evidence);
  lockFromArgument(spinner, entry, act.index, loc);
  return spinner;
}

/**
 * The slow path's first argument (RDI at entry) is the lock; compilers usually keep it there or in
 * a callee-saved register for the loop, which is what the exception frame shows. Only when the RIP
 * is in the slow path itself (a callee would have its own RDI).
 */
function lockFromArgument(spinner: Spinner, entry: { argLock?: boolean }, at: number, loc: Location): void {
  const rdi = loc.regs?.values.rdi;
  if (entry.argLock && at === 0 && rdi !== undefined && looksLikeKernelAddress(rdi))
    spinner.lockAddress = rdi;
}

/** The loop changes the register its load reads through: a copy or a walk, not a wait on one word. */
function walksMemory(loop: SpinLoop): boolean {
  if (!loop.closed || !loop.operand || loop.operand.ripRelative) return false;
  const regs = [loop.operand.base, loop.operand.index].filter((r): r is string => r !== undefined);
  return regs.some((r) => loop.instructions.some((i) => writesRegister(i, register64(r))));
}

export function looksLikeKernelAddress(v: bigint): boolean {
  return v >= 0xffff800000000000n && v !== 0xffffffffffffffffn;
}

function make(stack: Stack, index: number, how: string, loc: Location, evidence: Evidence[]): Spinner {
  const s: Spinner = { stack: index, how, at: formatLocation(loc), evidence, frame: loc.frameIndex };
  if (stack.cpu !== undefined) s.cpu = stack.cpu;
  if (stack.pid !== undefined) s.pid = stack.pid;
  if (stack.comm !== undefined) s.comm = stack.comm;
  const off = interruptsDisabled(loc.regs);
  if (off !== undefined) s.interruptsDisabled = off;
  if (loc.exception?.evidence) evidence.unshift(loc.exception.evidence);
  else if (stack.evidence) evidence.unshift(stack.evidence);
  return s;
}

const HOW_TEXT: Record<string, string> = {
  'endless-loop': 'an endless loop (no exit condition): no lock involved',
};

function findings(spinners: Spinner[]): Finding[] {
  if (spinners.length === 0) return [];
  const byHow = new Map<string, Spinner[]>();
  for (const s of spinners) {
    const key = `${s.how} at ${s.at.replace(/\+\d+$/, '')}`;
    byHow.set(key, [...(byHow.get(key) ?? []), s]);
  }
  return [...byHow].map(([what, list]) => {
    const cpus = list.filter((s) => s.cpu !== undefined).map((s) => s.cpu);
    const off = list.filter((s) => s.interruptsDisabled).length;
    const where = cpus.length ? ` on CPU${cpus.length > 1 ? 's' : ''} ${cpus.join(',')}` : '';
    const irq = off ? `, ${off === list.length ? 'all' : off} with interrupts disabled` : '';
    const how = HOW_TEXT[list[0]!.how];
    return {
      id: `spin/${list[0]!.how}`,
      severity: list[0]!.how === 'endless-loop' ? ('warning' as const) : ('critical' as const),
      message: `${list.length} spinning (${what.replace(/^[\w-]+ at /, `${list[0]!.how} in `)})${where}${irq}${how ? ` — ${how}` : ''}`,
      evidence: list.flatMap((s) => s.evidence.slice(0, 1)).slice(0, 4),
    };
  });
}

/** Where a spinner was read: its stack's stopped context, or the interrupted one further out. */
export function spinnerLocation(stack: Stack, spinner: Spinner): Location {
  const loc = locate(stack);
  if (spinner.frame === undefined || spinner.frame === loc.frameIndex) return loc;
  const ex = stack.exceptions.find((e) => e.beforeFrame === spinner.frame);
  return ex ? exceptionLocation(stack, ex) : loc;
}

/** Base names of the spin functions, for other analyzers (holder search, stories). */
export function isSpinFunction(fn: string | undefined): boolean {
  const b = baseName(fn);
  return b !== undefined && SPIN_FUNCTIONS[b] !== undefined;
}

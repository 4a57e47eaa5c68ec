/**
 * Spinning: which CPUs/tasks busy-wait, and on what. Three kinds of evidence, strongest first:
 * the instructions of the loop at the stopped RIP (`pause`, load, bit test — see spin-loop.ts),
 * the function the CPU is in (a lock slow path from the table below, innermost frames only), and
 * several CPUs stopped at the very same instruction (a loop caught repeatedly). Each spinner keeps
 * the lock address when the loop's memory operand or the slow path's argument register gives it.
 */

import { notALockWait } from '../kernel/locks/spin-target.js';
import { type Crash, type Evidence, interruptsDisabled, type Stack } from '../model/index.js';
import {
  baseName,
  contextFunctions,
  formatLocation,
  isPieceOfAnother,
  isUserRegs,
  locate,
  stacksOf,
  uniqueStacks,
} from './frames.js';
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
};

/** Frames that are not the loop itself but its plumbing: look one frame further for the caller. */
const PLUMBING = new Set([
  'lock_acquire',
  '__lock_acquire',
  'preempt_count_add',
  'arch_cpu_relax',
  'cpu_relax',
]);

export interface SpinResult {
  spinners: Spinner[];
  /** Spin loops read from instructions, by stack index. */
  loops: Map<number, SpinLoop>;
  /** Instructions where ≥ 2 CPUs/tasks were stopped (address when known). */
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
    // Where each stack stopped: the RIP, or `fn+offset` when the input prints only that (console).
    const byRip = new Map<string, number[]>();
    const keep = new Set(uniqueStacks(crash));
    stacksOf(crash).forEach((stack, index) => {
      if (!keep.has(index) || isPieceOfAnother(stacksOf(crash), index)) return;
      const loc = locate(stack);
      const where =
        loc.address !== undefined
          ? loc.address.toString(16)
          : loc.fn && loc.offset !== undefined
            ? formatLocation(loc)
            : undefined;
      if (where !== undefined && !isUserRegs(loc.regs))
        byRip.set(where, [...(byRip.get(where) ?? []), index]);
      const spinner = spinnerOf(crash, stack, index, loops);
      if (spinner) spinners.push(spinner);
    });
    const sharedRips = [...byRip]
      .filter(([, stacks]) => new Set(stacks.map((s) => stacksOf(crash)[s]!.cpu ?? `s${s}`)).size >= 2)
      .map(([, stacks]) => {
        const loc = locate(stacksOf(crash)[stacks[0]!]!);
        return {
          ...(loc.address !== undefined ? { address: loc.address } : {}),
          at: formatLocation(loc),
          stacks,
        };
      });
    // Same instruction on several CPUs, not idle, not already explained: a busy loop caught repeatedly.
    for (const shared of sharedRips) {
      for (const index of shared.stacks) {
        if (spinners.some((s) => s.stack === index)) continue;
        const stack = stacksOf(crash)[index]!;
        const fns = contextFunctions(stack);
        if (fns.some((f) => /idle|halt|mwait|schedule/.test(f))) continue;
        spinners.push(
          make(stack, index, 'busy-loop', locate(stack), [
            {
              source: 'derived',
              note: `${shared.stacks.length} CPUs stopped at the same instruction ${shared.at}`,
            },
          ]),
        );
      }
    }
    // A CPU stopped elsewhere in the same loop function (the one the watchdog interrupted, whose
    // RIP is a return address after an IRQ frame) spins there too.
    const loopFns = new Set(
      spinners
        .filter((s) => s.how === 'busy-loop')
        .map((s) => baseName(locate(stacksOf(crash)[s.stack]!).fn)),
    );
    stacksOf(crash).forEach((stack, index) => {
      if (
        !keep.has(index) ||
        stack.cpu === undefined ||
        spinners.some((s) => s.stack === index) ||
        isPieceOfAnother(stacksOf(crash), index)
      )
        return;
      if (spinners.some((s) => s.cpu === stack.cpu && s.pid === stack.pid)) return;
      const loc = locate(stack);
      if (!loopFns.has(baseName(loc.fn))) return;
      spinners.push(
        make(stack, index, 'busy-loop', loc, [
          { source: 'derived', note: `stopped in ${loc.fn}, the function other CPUs spin in` },
        ]),
      );
    });
    spinners.sort((a, b) => (a.cpu ?? 1e9) - (b.cpu ?? 1e9));
    return { result: { spinners, loops, sharedRips }, findings: findings(spinners) };
  },
});

function spinnerOf(
  crash: Crash,
  stack: Stack,
  index: number,
  loops: Map<number, SpinLoop>,
): Spinner | undefined {
  const found = spinnerAt(crash, stack, index, loops, locate(stack), contextFunctions(stack));
  if (found) return found;
  // An interrupt taken on top of the loop (a timer tick when the dump was taken, the watchdog on
  // the CPU that panicked): the context it interrupted, one exception frame further out.
  const first = locate(stack).exception;
  for (const ex of stack.exceptions) {
    if (ex === first || ex.bogus || ex.entry === 'syscall' || isUserRegs(ex.regs)) continue;
    if (ex.beforeFrame >= stack.frames.length) continue;
    const frame = stack.frames[ex.beforeFrame]!;
    const loc: ReturnType<typeof locate> = { frameIndex: ex.beforeFrame, regs: ex.regs, exception: ex };
    const fn = ex.ripFunction ?? frame.fn;
    if (fn !== undefined) loc.fn = fn;
    const offset = ex.ripOffset ?? frame.offset;
    if (offset !== undefined) loc.offset = offset;
    const address = ex.regs.values.rip ?? frame.address;
    if (address !== undefined) loc.address = address;
    const fns = stack.frames
      .slice(ex.beforeFrame)
      .filter((f) => f.reliable && f.fn !== undefined)
      .map((f) => baseName(f.fn)!);
    const outer = spinnerAt(crash, stack, index, loops, loc, fns);
    if (outer) return outer;
  }
  return undefined;
}

function spinnerAt(
  crash: Crash,
  stack: Stack,
  index: number,
  loops: Map<number, SpinLoop>,
  loc: ReturnType<typeof locate>,
  fns: string[],
): Spinner | undefined {
  if (fns.length === 0 || fns[0] === '__schedule' || fns[0] === 'schedule') return undefined;
  const evidence: Evidence[] = [];
  // Idle and kexec/NMI stop paths are no lock wait: not worth disassembling.
  const loop = notALockWait(fns[0]) ? undefined : readSpinLoop(crash.code, loc.address);
  if (loop) loops.set(index, loop);
  // 1. The loop's instructions.
  if (loop && (loop.pause || loop.backJump)) {
    // A loop inside a known slow path keeps that path's name (queued-spinlock, rwlock…).
    const how = isBitSpin(loop) ? 'bit-spin-lock' : (SPIN_FUNCTIONS[fns[0]!]?.how ?? 'spin-loop');
    for (const i of [loop.pause, loop.load, loop.test]) if (i?.evidence) evidence.push(i.evidence);
    const spinner = make(stack, index, how, loc, evidence);
    if (loop.operand && loop.load) {
      const address = operandAddress(loop.operand, loc.regs, loop.load);
      if (address !== undefined) spinner.lockAddress = address;
    }
    return spinner;
  }
  // 2. A lock slow path among the innermost frames.
  for (let i = 0; i < Math.min(3, fns.length); i++) {
    const entry = SPIN_FUNCTIONS[fns[i]!];
    if (!entry) {
      if (PLUMBING.has(fns[i]!)) continue;
      if (i === 0) continue;
      break;
    }
    const frame = stack.frames[loc.frameIndex + i];
    if (frame?.evidence) evidence.push(frame.evidence);
    const spinner = make(stack, index, entry.how, loc, evidence);
    // The slow path's first argument (RDI at entry) is the lock; compilers usually keep it there or
    // in a callee-saved register for the loop, which is what the exception frame shows.
    if (
      entry.argLock &&
      i === 0 &&
      loc.regs?.values.rdi !== undefined &&
      looksLikeKernelAddress(loc.regs.values.rdi)
    ) {
      spinner.lockAddress = loc.regs.values.rdi;
    }
    return spinner;
  }
  return undefined;
}

export function looksLikeKernelAddress(v: bigint): boolean {
  return v >= 0xffff800000000000n && v !== 0xffffffffffffffffn;
}

function make(
  stack: Stack,
  index: number,
  how: string,
  loc: ReturnType<typeof locate>,
  evidence: Evidence[],
): Spinner {
  const s: Spinner = { stack: index, how, at: formatLocation(loc), evidence };
  if (stack.cpu !== undefined) s.cpu = stack.cpu;
  if (stack.pid !== undefined) s.pid = stack.pid;
  if (stack.comm !== undefined) s.comm = stack.comm;
  const off = interruptsDisabled(loc.regs);
  if (off !== undefined) s.interruptsDisabled = off;
  if (loc.exception?.evidence) evidence.unshift(loc.exception.evidence);
  else if (stack.evidence) evidence.unshift(stack.evidence);
  return s;
}

function findings(spinners: Spinner[]): Finding[] {
  if (spinners.length === 0) return [];
  const byHow = new Map<string, Spinner[]>();
  for (const s of spinners)
    byHow.set(`${s.how} at ${s.at.replace(/\+\d+$/, '')}`, [
      ...(byHow.get(`${s.how} at ${s.at.replace(/\+\d+$/, '')}`) ?? []),
      s,
    ]);
  return [...byHow].map(([what, list]) => {
    const cpus = list.filter((s) => s.cpu !== undefined).map((s) => s.cpu);
    const off = list.filter((s) => s.interruptsDisabled).length;
    const where = cpus.length ? ` on CPU${cpus.length > 1 ? 's' : ''} ${cpus.join(',')}` : '';
    const irq = off ? `, ${off === list.length ? 'all' : off} with interrupts disabled` : '';
    return {
      id: `spin/${list[0]!.how}`,
      severity: 'critical' as const,
      message: `${list.length} spinning (${what.replace(/^[\w-]+ at /, `${list[0]!.how} in `)})${where}${irq}`,
      evidence: list.flatMap((s) => s.evidence.slice(0, 1)).slice(0, 4),
    };
  });
}

/** Base names of the spin functions, for other analyzers (holder search, stories). */
export function isSpinFunction(fn: string | undefined): boolean {
  const b = baseName(fn);
  return b !== undefined && SPIN_FUNCTIONS[b] !== undefined;
}

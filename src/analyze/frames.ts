/**
 * Reading stacks the way the analyzers need them: where a CPU or task *was* (the interrupted
 * instruction, not the NMI handler that caught it), the frames of that context, and function names
 * without compiler suffixes. Shared by stacks, spin, irq, locks and the stories.
 */

import type { ExceptionFrame, Frame, RegisterSet, Stack } from '../model/index.js';

/** `foo.isra.3`, `foo.constprop.0`, `foo.cold`, `foo.part.1`, `foo.llvm.123` → `foo`. */
export function baseName(fn: string | undefined): string | undefined {
  if (fn === undefined) return undefined;
  return fn.replace(/(\.(isra|constprop|part|cold|llvm|lto_priv|localalias)(\.\d+)?)+$/, '');
}

const KERNEL_MIN = 0xffff800000000000n;

/** True for a register set saved in user mode (CS RPL 3, or a user-space RIP). */
export function isUserRegs(regs: RegisterSet | undefined): boolean {
  const v = regs?.values;
  if (!v) return false;
  if (v.cs !== undefined && v.cs <= 0xffffn) return (v.cs & 3n) === 3n;
  return v.rip !== undefined && v.rip < KERNEL_MIN;
}

/** Where the code of a stack was running when it was stopped. */
export interface Location {
  fn?: string;
  offset?: number;
  address?: bigint;
  /** Registers of that instruction, when saved (exception frame, NMI backtrace regs). */
  regs?: RegisterSet;
  /** The exception frame that saved them (crash's `[exception RIP: …]`). */
  exception?: ExceptionFrame;
  /** Index of the first frame of the interrupted context. */
  frameIndex: number;
}

/**
 * The interrupted kernel context: the first kernel-mode, non-bogus exception frame that points
 * inside the stack (an NMI or IRQ that caught the CPU), else the stack from frame 0 with its own
 * registers (console NMI backtraces put the RIP function first and the registers on the stack).
 */
export function locate(stack: Stack): Location {
  const ex = stack.exceptions.find(
    (e) =>
      e.entry !== 'syscall' &&
      e.beforeFrame < stack.frames.length &&
      (e.bogus || (!isUserRegs(e.regs) && (e.ripFunction !== undefined || e.regs.values.rip !== undefined))),
  );
  if (ex?.bogus) {
    // crash doubted the frame ("possibly bogus exception frame"): its registers are garbage, but
    // the frames it unwound after it are the interrupted context (soft lockups raised from the
    // timer interrupt). Where it was is the first of them; no registers.
    const frame = stack.frames[ex.beforeFrame]!;
    const loc: Location = { frameIndex: ex.beforeFrame };
    if (frame.fn !== undefined) loc.fn = frame.fn;
    if (frame.offset !== undefined) loc.offset = frame.offset;
    if (frame.address !== undefined) loc.address = frame.address;
    return loc;
  }
  if (ex) return exceptionLocation(stack, ex);
  const first = stack.frames.findIndex((f) => f.reliable);
  const index = Math.max(first, 0);
  const frame = stack.frames[index];
  const loc: Location = { frameIndex: index };
  if (frame?.fn !== undefined) loc.fn = frame.fn;
  if (frame?.offset !== undefined) loc.offset = frame.offset;
  const address = frame?.address ?? (isUserRegs(stack.regs) ? undefined : stack.regs?.values.rip);
  if (address !== undefined) loc.address = address;
  if (stack.regs && !isUserRegs(stack.regs)) loc.regs = stack.regs;
  return loc;
}

/** The context an exception frame interrupted: its RIP, registers and first frame. */
export function exceptionLocation(stack: Stack, ex: ExceptionFrame): Location {
  const frame = stack.frames[ex.beforeFrame];
  const loc: Location = { frameIndex: ex.beforeFrame, regs: ex.regs, exception: ex };
  const fn = ex.ripFunction ?? frame?.fn;
  if (fn !== undefined) loc.fn = fn;
  const offset = ex.ripOffset ?? frame?.offset;
  if (offset !== undefined) loc.offset = offset;
  const address = ex.regs.values.rip ?? frame?.address;
  if (address !== undefined) loc.address = address;
  return loc;
}

/** Reliable frames of the interrupted context, innermost first. */
export function contextFrames(stack: Stack): Frame[] {
  return stack.frames.slice(locate(stack).frameIndex).filter((f) => f.reliable && f.fn !== undefined);
}

/** Function names (suffixes stripped) of the interrupted context. */
export function contextFunctions(stack: Stack): string[] {
  return contextFrames(stack).map((f) => baseName(f.fn)!);
}

/** Every function name in a stack, all contexts, suffixes stripped. */
export function allFunctions(stack: Stack): string[] {
  return stack.frames.filter((f) => f.fn !== undefined).map((f) => baseName(f.fn)!);
}

export function formatLocation(loc: Pick<Location, 'fn' | 'offset' | 'address'>): string {
  if (loc.fn) return loc.offset !== undefined ? `${loc.fn}+${loc.offset}` : loc.fn;
  return loc.address !== undefined ? loc.address.toString(16) : '?';
}

export function hex(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}

/** Who a stack belongs to, for sentences: `pid 24023 "fas_readwriter" on CPU 10`. */
export function owner(stack: Pick<Stack, 'pid' | 'comm' | 'cpu'>): string {
  const parts = [
    stack.pid !== undefined ? `pid ${stack.pid}` : undefined,
    stack.comm ? `"${stack.comm}"` : undefined,
    stack.cpu !== undefined ? `on CPU ${stack.cpu}` : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(' ') : 'an unidentified task';
}

/**
 * A partial stack (grep output) that is a piece of a full stack of the same input: one of its
 * frames has the same stack slot and function as a frame of the full stack. Counted once.
 */
export function isPieceOfAnother(stacks: Stack[], index: number): boolean {
  const stack = stacks[index];
  if (!stack?.partial) return false;
  const slots = stack.frames.filter((f) => f.stackAddress !== undefined);
  if (slots.length === 0) return false;
  return stacks.some(
    (other, j) =>
      j !== index &&
      !other.partial &&
      slots.every((f) =>
        other.frames.some((g) => g.stackAddress === f.stackAddress && baseName(g.fn) === baseName(f.fn)),
      ),
  );
}

/**
 * A lockup CPU whose stack ends in the interrupt that caught it: the watchdog frames are there,
 * the interrupted context is not (crash stopped at the IRQ stack, "possibly bogus exception frame").
 */
export function interruptedContextMissing(stack: Stack): boolean {
  const fns = allFunctions(stack);
  if (!fns.some((f) => /^(watchdog_timer_fn|watchdog_overflow_callback|rcu_sched_clock_irq|panic)$/.test(f)))
    return false;
  return stack.frames.every(
    (f) => f.context === 'irq' || f.context === 'nmi' || /interrupt$|^asm_/.test(baseName(f.fn) ?? ''),
  );
}

const analysisStacks = new WeakMap<object, Stack[]>();

/**
 * The stacks the analyzers read: `crash.stacks`, then the stacks of `crash.reports` that are not
 * in it (a transcript's `log` output carries the soft-lockup report with the interrupted
 * registers, a hung-task report the blocked task's stack). Indexes below `crash.stacks.length`
 * are indexes into `crash.stacks`; the others follow the reports' order.
 */
export function stacksOf(crash: {
  stacks: Stack[];
  reports: { stack?: Stack; otherStacks?: { stack: Stack }[] }[];
}): Stack[] {
  const cached = analysisStacks.get(crash);
  if (cached) return cached;
  const known = new Set(crash.stacks);
  const extra: Stack[] = [];
  for (const r of crash.reports) {
    for (const s of [r.stack, ...(r.otherStacks ?? []).map((o) => o.stack)]) {
      if (!s || known.has(s) || s.frames.length === 0) continue;
      if (s.pid === undefined && s.cpu === undefined) continue;
      known.add(s);
      extra.push(s);
    }
  }
  const all = extra.length ? [...crash.stacks, ...extra] : crash.stacks;
  analysisStacks.set(crash, all);
  return all;
}

const uniqueIndexes = new WeakMap<object, number[]>();

/**
 * One stack per task (per CPU for the idle tasks, pid 0), the most telling one: a full stack over
 * grep pieces, one with the interrupted context and its registers over one cut at the IRQ stack.
 * The same task is often printed twice (`bt -a` and `foreach bt`, or `bt -a` and the log's lockup
 * report), and a console source may read one printed trace twice (as a report's stack and as an
 * anonymous one); counting it twice would double waiters and groups.
 */
export function uniqueStacks(crash: Parameters<typeof stacksOf>[0]): number[] {
  const cached = uniqueIndexes.get(crash);
  if (cached) return cached;
  const stacks = stacksOf(crash);
  // On a tie, a stack unwound from the dump (the state at the crash, with code addresses to
  // disassemble) beats the log's earlier copy of it; one that says whose it is beats an anonymous one.
  const score = (s: Stack) =>
    (s.partial ? 0 : 4) +
    (interruptedContextMissing(s) ? 0 : 2) +
    (locate(s).regs ? 1 : 0) +
    (s.origin === 'unwind' ? 0.5 : 0) +
    (locate(s).regs?.code ? 0.4 : 0) +
    (s.pid !== undefined || s.cpu !== undefined ? 0.25 : 0);
  // Stacks are the same when they name the same task, or were read from the same log lines.
  const parent = stacks.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const union = (a: number, b: number) => {
    const [x, y] = [root(a), root(b)].sort((p, q) => p - q);
    if (x !== y) parent[y!] = x!;
  };
  const byKey = new Map<string, number>();
  stacks.forEach((s, i) => {
    const keys: string[] = [];
    if (s.pid !== undefined && s.pid !== 0) keys.push(`p${s.pid}`);
    if (s.task !== undefined) keys.push(`t${s.task}`);
    if (s.pid === 0 && s.cpu !== undefined) keys.push(`idle${s.cpu}`);
    const first = s.frames.find((f) => f.evidence?.source === 'log' && f.evidence.line !== undefined);
    if (first) keys.push(`l${first.evidence!.line}`);
    for (const k of keys) {
      const seen = byKey.get(k);
      if (seen === undefined) byKey.set(k, i);
      else union(seen, i);
    }
  });
  const best = new Map<number, number>();
  stacks.forEach((s, i) => {
    const r = root(i);
    const prev = best.get(r);
    if (prev === undefined || score(s) > score(stacks[prev]!)) best.set(r, i);
  });
  const out = [...best.values()].sort((a, b) => a - b);
  uniqueIndexes.set(crash, out);
  return out;
}

/**
 * Who holds a lock that records no owner (spinlocks, bit locks): candidates ranked by evidence.
 * A task on the waiters' code path that is not spinning (scheduled out, sleeping, running
 * elsewhere), stopped right next to the lock's acquire instruction, with TIF_NEED_RESCHED pending,
 * or reported sleeping in atomic context; a task whose saved stack words hold the lock address.
 */

import { decodeThreadFlags, parseRelease } from '../kernel/flags/index.js';
import type { Crash, Evidence, Stack, Task } from '../model/index.js';
import { insideAnyLoop, isReporting, isScheduler } from './activity.js';
import {
  allFunctions,
  baseName,
  contextFunctions,
  hex,
  interruptedContextMissing,
  locate,
  stacksOf,
  uniqueStacks,
} from './frames.js';
import type { Confidence, LockParty } from './results.js';
import type { SpinLoop } from './spin-loop.js';
import { register64, testedBit } from './spin-loop.js';

export interface HolderQuery {
  address?: bigint;
  bit?: number;
  /** Stack indexes of the waiters (excluded from candidates). */
  waiters: Set<number>;
  /** Stacks of every spinner (not candidates either). */
  spinning: Set<number>;
  /** Functions of the waiters' path: the spin function and its first callers. */
  path: string[];
  /** The spin loop of one waiter, for the operand register of the acquire. */
  loop?: SpinLoop;
  /** Functions the waiters were stopped in. */
  spinAt?: Set<string>;
  /** Pids of the waiters. */
  waiterPids?: Set<number>;
}

export interface Candidate extends LockParty {
  score: number;
  reasons: string[];
  evidence: Evidence[];
}

export function rankHolders(crash: Crash, q: HolderQuery): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const atomic = atomicSleepers(crash);
  const keep = new Set(uniqueStacks(crash));
  stacksOf(crash).forEach((stack, index) => {
    if (!keep.has(index)) return;
    if (q.waiters.has(index) || q.spinning.has(index) || stack.partial) return;
    // The same task as a waiter (printed twice: bt -a and the log's lockup report) is no holder.
    if (stack.pid !== undefined && stack.pid !== 0 && q.waiterPids?.has(stack.pid)) return;
    const key = String(stack.task ?? stack.pid ?? `#${index}`);
    if (seen.has(key)) return;
    const c = candidate(crash, stack, index, q, atomic);
    if (c) {
      seen.add(key);
      out.push(c);
    }
  });
  // A task the log says slept in atomic context, even without a stack in the input.
  for (const a of atomic) {
    if (out.some((c) => c.pid === a.pid)) continue;
    out.push({ pid: a.pid, comm: a.comm, score: 4, reasons: [a.reason], evidence: a.evidence });
  }
  return out.filter((c) => c.score >= 2).sort((a, b) => b.score - a.score);
}

export function holderConfidence(c: Candidate): Confidence {
  return c.score >= 5 ? 'medium' : 'low';
}

function candidate(
  crash: Crash,
  stack: Stack,
  index: number,
  q: HolderQuery,
  atomic: AtomicSleeper[],
): Candidate | undefined {
  const fns = allFunctions(stack);
  const reasons: string[] = [];
  const evidence: Evidence[] = [];
  let score = 0;
  const loc = locate(stack);
  // Where it is, past the frames that print a report about it (the BUG's dump_stack).
  const context = contextFunctions(stack);
  const top = context.find((f) => !isReporting(f) && !insideAnyLoop(f)) ?? baseName(loc.fn) ?? '?';
  const asleep = isScheduler(top);
  // Stopped in the very function the waiters spin in: another waiter, not a holder.
  if (q.spinAt?.has(baseName(loc.fn) ?? '?')) return undefined;
  const onPath = q.path.find((p) => fns.includes(p));
  if (onPath) {
    score += 3;
    const pathFrame = stack.frames.find((f) => baseName(f.fn) === onPath);
    const where = pathFrame?.offset !== undefined ? `${onPath}+${pathFrame.offset}` : onPath;
    reasons.push(`on the waiters' code path (${where}) but not spinning: it is in ${top}`);
    if (pathFrame?.evidence) evidence.push(pathFrame.evidence);
    if (asleep) {
      score += 1;
      reasons.push('scheduled out there (a lock that records no owner stays taken while its holder sleeps)');
    }
    const acquire = acquireAfter(crash, pathFrame?.address, q);
    if (acquire) {
      score += 2;
      reasons.push(acquire.text);
      if (acquire.evidence) evidence.push(acquire.evidence);
    }
  }
  const task = taskOf(crash, stack);
  const flags = threadFlags(crash, stack, task);
  if (flags && onPath) {
    const decoded = decodeThreadFlags(flags.value, parseRelease(crash.system.release));
    if (decoded?.names.includes('TIF_NEED_RESCHED')) {
      score += 1;
      reasons.push(
        `thread_info.flags ${`0x${flags.value.toString(16)}`} has TIF_NEED_RESCHED: asked to reschedule and not run since (__schedule clears it)`,
      );
      if (flags.evidence) evidence.push(flags.evidence);
    }
  }
  const slept = atomic.find((a) => a.pid === stack.pid);
  if (slept) {
    // A sleep with preemption disabled is what a spinning lock's holder must never do; still
    // asleep there, it cannot have released the lock since.
    score += 4;
    reasons.push(slept.reason);
    evidence.push(...slept.evidence);
    if (asleep && !onPath) {
      score += 1;
      reasons.push(`still asleep (in ${top}): it cannot have released it since`);
    }
  }
  if (score === 0 && stack.cpu !== undefined && interruptedContextMissing(stack)) {
    score += 2;
    reasons.push(
      'the CPU the lockup watchdog fired on: its interrupted stack is not in the input (the unwinder stopped at the IRQ stack), so what it holds cannot be seen — the log’s lockup report has it',
    );
  }
  if (q.address !== undefined && stackHolds(stack, q.address)) {
    score += 2;
    reasons.push(`its saved stack words hold the lock address ${hex(q.address)}`);
  }
  if (score === 0) return undefined;
  const c: Candidate = { stack: index, score, reasons, evidence };
  if (stack.cpu !== undefined) c.cpu = stack.cpu;
  if (stack.pid !== undefined) c.pid = stack.pid;
  if (stack.comm !== undefined) c.comm = stack.comm;
  if (task?.state) c.state = task.state;
  return c;
}

/** `lock bts $bit,(reg)` within a few bytes after a return address: the caller was about to take, or had just taken, this bit. */
function acquireAfter(
  crash: Crash,
  ret: bigint | undefined,
  q: HolderQuery,
): { text: string; evidence?: Evidence } | undefined {
  if (ret === undefined || q.bit === undefined || !crash.code) return undefined;
  const near = crash.code.around(ret, 0, 16).filter((i) => i.address >= ret && i.address < ret + 16n);
  const bts = near.find((i) => /^lock\s+bts[bwlq]?$/.test(i.mnemonic) && testedBit(i) === q.bit);
  if (!bts) return undefined;
  const sameReg =
    q.loop?.operand?.base &&
    bts.memory?.base &&
    register64(q.loop.operand.base) === register64(bts.memory.base)
      ? ' on the same register as the spinners’ load'
      : '';
  const off = bts.fn && bts.offset !== undefined ? ` (${bts.fn}+${bts.offset})` : '';
  const text = `its return address is right before \`${bts.mnemonic} ${bts.operands}\`${off}${sameReg} — the acquire of this very bit: it stopped in the middle of the lock dance`;
  return bts.evidence ? { text, evidence: bts.evidence } : { text };
}

export function taskOf(crash: Crash, stack: Stack): Task | undefined {
  if (stack.task !== undefined) {
    const t = crash.tasks.find((x) => x.task === stack.task);
    if (t) return t;
  }
  return stack.pid !== undefined && stack.pid !== 0
    ? crash.tasks.find((x) => x.pid === stack.pid)
    : undefined;
}

/** thread_info.flags of a task: from the task, or a `struct thread_info` dump linked to it. */
export function threadFlags(
  crash: Crash,
  stack: Stack,
  task: Task | undefined,
): { value: bigint; address?: bigint; evidence?: Evidence } | undefined {
  if (task?.threadFlags !== undefined) return { value: task.threadFlags };
  const taskAddr = task?.task ?? stack.task;
  const tiAddrs = new Set<bigint>();
  if (task?.threadInfo !== undefined) tiAddrs.add(task.threadInfo);
  if (task?.stackBase !== undefined) tiAddrs.add(task.stackBase);
  for (const s of crash.structs) {
    if (s.address === taskAddr && /task_struct/.test(s.type) && s.fields.stack) {
      const v = parseNumber(s.fields.stack);
      if (v !== undefined) tiAddrs.add(v);
    }
  }
  for (const s of crash.structs) {
    if (!/thread_info/.test(s.type) || s.fields.flags === undefined) continue;
    const linked =
      (s.address !== undefined && tiAddrs.has(s.address)) ||
      (taskAddr !== undefined && parseNumber(s.fields.task ?? '') === taskAddr);
    if (!linked) continue;
    const value = parseNumber(s.fields.flags);
    if (value === undefined) continue;
    const out: { value: bigint; address?: bigint; evidence?: Evidence } = { value };
    if (s.address !== undefined) out.address = s.address;
    if (s.evidence) out.evidence = s.evidence;
    return out;
  }
  return undefined;
}

export function parseNumber(text: string): bigint | undefined {
  const m = /^\s*(-?)(0x[0-9a-f]+|\d+)/i.exec(text);
  if (!m) return undefined;
  const v = BigInt(m[2]!);
  return m[1] ? BigInt.asUintN(64, -v) : v;
}

function stackHolds(stack: Stack, address: bigint): boolean {
  return (stack.frameWords ?? []).some((fw) => fw.words.some((w) => w.value === address));
}

interface AtomicSleeper {
  pid: number;
  comm: string;
  reason: string;
  evidence: Evidence[];
}

const ATOMIC = /BUG: scheduling while atomic: (.+)\/(\d+)\/0x([0-9a-f]+)/;

/** "BUG: scheduling while atomic: lab_holder/0/124/0x00000002" — a task that slept holding a spinlock or bit lock. */
export function atomicSleepers(crash: Crash): AtomicSleeper[] {
  const out: AtomicSleeper[] = [];
  const texts = [
    ...crash.log.map((r) => ({ text: r.text, line: r.line })),
    ...crash.reports.map((r) => ({ text: r.header, line: r.startLine })),
  ];
  for (const { text, line } of texts) {
    const m = ATOMIC.exec(text);
    if (!m) continue;
    const pid = Number(m[2]);
    if (out.some((o) => o.pid === pid)) continue;
    const evidence: Evidence[] = [{ source: 'log', ...(line !== undefined ? { line } : {}), text: m[0] }];
    out.push({
      pid,
      comm: m[1]!,
      reason: `the log says it slept in atomic context ("${m[0]}", preempt count 0x${m[3]}): it went to sleep holding a spinlock or bit lock`,
      evidence,
    });
  }
  return out;
}

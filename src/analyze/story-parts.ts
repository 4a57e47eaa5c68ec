/**
 * Sentence builders shared by the stories (lockup.ts, rcu.ts, hung.ts): where a CPU was, who
 * waits, who holds, the cycle, since when, the known bug. Each returns undefined when the model
 * does not support the sentence — partial input gives a shorter story, never an invented one.
 */

import type { Crash, CrashKind, Report, Stack } from '../model/index.js';
import { insideAnyLoop } from './activity.js';
import { baseName, formatLocation, interruptedContextMissing, locate, stacksOf } from './frames.js';
import type { IrqState } from './irq.js';
import type {
  Classification,
  DeadlockCycle,
  KnownIssue,
  LockFinding,
  LockParty,
  Spinner,
  StackGroup,
} from './results.js';
import { spinnerLocation } from './spin.js';

export interface StoryInput {
  crash: Crash;
  classification: Classification;
  /** The kind the story tells (may differ from the headline's) and its report. */
  kind: CrashKind;
  report?: Report;
  /** The classifier's kind of each report, in `crash.reports` order. */
  reportKinds: (CrashKind | undefined)[];
  spinners: Spinner[];
  locks: LockFinding[];
  cycles: DeadlockCycle[];
  irq: IrqState[];
  groups: StackGroup[];
  knownIssues: KnownIssue[];
}

export function who(p: LockParty | Pick<Stack, 'pid' | 'comm' | 'cpu'>): string {
  const parts = [
    p.pid !== undefined ? `pid ${p.pid}` : undefined,
    p.comm ? `"${p.comm}"` : undefined,
    p.cpu !== undefined ? `on CPU ${p.cpu}` : undefined,
  ].filter(Boolean);
  if (parts.length) return parts.join(' ');
  return 'task' in p && p.task !== undefined ? `task ${p.task.toString(16)}` : 'an unidentified task';
}

/** The stack of the CPU/task that fired: panic CPU, panic task, or the headline report's stack. */
export function firingStack(input: StoryInput): { stack: Stack; index?: number } | undefined {
  const { crash, classification } = input;
  const stacks = stacksOf(crash);
  const cpu = input.report?.cpu ?? classification.panic?.cpu ?? crash.system.panicCpu;
  const pid = classification.panic?.pid ?? crash.system.panicPid;
  const report =
    input.report ?? (classification.report !== undefined ? crash.reports[classification.report] : undefined);
  const fromReport = report?.stack ? { stack: report.stack, index: stacks.indexOf(report.stack) } : undefined;
  const byCpu = crash.cpus.find((c) => c.id === cpu && c.stack !== undefined);
  let own: { stack: Stack; index: number } | undefined;
  if (byCpu?.stack !== undefined && stacks[byCpu.stack])
    own = { stack: stacks[byCpu.stack]!, index: byCpu.stack };
  else {
    const byPid = pid !== undefined && pid !== 0 ? stacks.findIndex((s) => s.pid === pid && !s.partial) : -1;
    if (byPid >= 0) own = { stack: stacks[byPid]!, index: byPid };
  }
  // The CPU's own stack, unless the unwinder stopped at the interrupt and the report has the rest.
  if (own && !(fromReport && interruptedContextMissing(own.stack))) return own;
  if (fromReport) return fromReport.index >= 0 ? fromReport : { stack: fromReport.stack };
  if (own) return own;
  // No panic CPU in the input: the CPU whose stack holds panic() itself.
  const panicking = stacks.findIndex(
    (s) =>
      s.cpu !== undefined &&
      s.frames.some((f) => f.fn === 'panic') &&
      !s.frames.some((f) => f.fn === 'crash_nmi_callback'),
  );
  return panicking >= 0 ? { stack: stacks[panicking]!, index: panicking } : undefined;
}

/**
 * `get_futex_key → put_page → put_compound_page`: the last callers leading to where it was (from
 * frame `from`, the interrupted context by default), instrumentation called inside loops left out.
 */
export function pathTo(stack: Stack, depth = 3, from = locate(stack).frameIndex): string {
  const fns = stack.frames
    .slice(from)
    .filter((f) => f.reliable && f.fn !== undefined && !insideAnyLoop(f.fn))
    .map((f) => baseName(f.fn)!)
    .slice(0, depth + 1);
  return fns.reverse().join(' → ');
}

const HOW: Record<string, string> = {
  'bit-spin-lock': 'a bit_spin_lock() loop',
  'busy-loop': 'a busy loop',
  'spin-loop': 'a spin loop',
  'endless-loop': 'an endless loop with no exit condition (no lock involved)',
  'csd-lock-wait': 'a wait for a cross-CPU function call to complete (csd_lock_wait)',
  'queued-spinlock': 'a queued-spinlock wait',
  'ticket-spinlock': 'a ticket-spinlock wait',
  spinlock: 'a spinlock wait',
  rwlock: 'a rwlock wait',
  'mutex-spin': 'a mutex owner spin',
  'osq-spin': 'an optimistic-spin queue wait',
  'rwsem-spin': 'an rwsem owner spin',
  'pv-spinlock-halt': 'a paravirt spinlock halt',
};

export function whereSentence(
  input: StoryInput,
  stack: Stack,
  index: number | undefined,
): string | undefined {
  if (interruptedContextMissing(stack))
    return 'what it was doing is not in the input: the unwinder stopped at the interrupt that caught it (the lockup report in the kernel log shows the interrupted stack and registers)';
  const spinner = input.spinners.find(
    (s) => s.stack === index || (stack.pid !== undefined && stack.pid !== 0 && s.pid === stack.pid),
  );
  const loc = spinner ? spinnerLocation(stack, spinner) : locate(stack);
  if (!loc.fn) return undefined;
  const lock = spinner
    ? input.locks.find((l) => l.waiters.some((w) => w.stack === spinner.stack))
    : undefined;
  const irq = index !== undefined ? input.irq.find((s) => s.stack === index) : undefined;
  const parts: string[] = [];
  const path = pathTo(stack, 3, loc.frameIndex);
  if (spinner) {
    const how = HOW[spinner.how] ?? `a ${spinner.how} wait`;
    parts.push(
      `it was spinning in ${spinner.at}, ${how}${lock ? ` on ${lock.description}` : ''}${path.includes('→') ? `, reached through ${path}` : ''}`,
    );
  } else {
    // Past instrumentation the CPU was caught in (a kcov or sanitizer callback of the real code).
    const frames = stack.frames.slice(loc.frameIndex).filter((f) => f.reliable && f.fn !== undefined);
    const own = frames.find((f) => !insideAnyLoop(f.fn));
    const at =
      own && own !== frames[0]
        ? formatLocation({ fn: own.fn, ...(own.offset !== undefined ? { offset: own.offset } : {}) })
        : formatLocation(loc);
    parts.push(`it was in ${at}${path.includes('→') ? ` (${path})` : ''}`);
  }
  if (irq?.disabled) {
    const by = irq.by
      ? irq.by.certain
        ? ` — disabled by ${irq.by.fn}`
        : ` — probably since ${irq.by.fn}`
      : '';
    parts.push(`with interrupts disabled (RFLAGS ${irq.rflags?.toString(16).padStart(8, '0') ?? '?'})${by}`);
  }
  return parts.join(' ');
}

export function waitersSentence(input: StoryInput, exclude?: Stack): string | undefined {
  const lock = input.locks[0];
  if (!lock) return undefined;
  const group = input.groups.find(
    (g) => g.countSource === 'shell-count' && lock.reasoning.some((r) => r.includes(g.functions[0]!)),
  );
  if (group) {
    const comm = group.comms[0];
    return `${group.count} ${group.functions[0]} hits in \`bt -a\` (counted by the transcript’s own grep | wc -l, ≈${Math.ceil(group.count / 2)} stacks)${comm ? `, ${comm.count} of them ${comm.comm}` : ''}, stopped in the same loop`;
  }
  const others = lock.waiters.filter(
    (w) =>
      !exclude ||
      !(w.stack === stacksOf(input.crash).indexOf(exclude) || (exclude.pid && w.pid === exclude.pid)),
  );
  if (!others.length) return undefined;
  const cpus = others.filter((w) => w.cpu !== undefined).map((w) => w.cpu);
  return `${others.length} other ${others.length === 1 ? 'waiter' : 'waiters'}${cpus.length ? ` on CPU${cpus.length > 1 ? 's' : ''} ${cpus.join(',')}` : ''} ${others.length === 1 ? 'waits' : 'wait'} on ${lock.description}`;
}

export function holderSentence(input: StoryInput): string | undefined {
  const held = input.locks.filter((l) => l.holder).slice(0, 2);
  if (!held.length) return undefined;
  return held
    .map((lock, i) => {
      const h = lock.holder!;
      const why = h.reasoning
        .slice(0, 2)
        .map((r) => r.replace(/\.$/, ''))
        .join('; ');
      const lead = i === 0 ? 'likely holder' : 'likely holder';
      return `${lead}${lock.kind === 'mutex' ? ' (owner field)' : ''} of ${lock.description}: ${holderWho(input, h)} — ${why} (${h.confidence} confidence)`;
    })
    .join('; ');
}

/**
 * `pid 150 "lab_rw" (D state, in write(2), last ran on CPU 0)`: a sleeping holder is on no CPU, so
 * its CPU is where it last ran; the system call it sleeps in says what it was doing for user space.
 */
function holderWho(input: StoryInput, h: LockParty): string {
  const sleeping = h.state !== undefined && h.state !== 'RU';
  const stack = h.stack !== undefined ? stacksOf(input.crash)[h.stack] : undefined;
  const call = stack ? systemCall(stack) : undefined;
  const notes = [
    h.state === 'UN' ? 'D state' : h.state === 'IN' ? 'S state' : undefined,
    call ? `in ${call}(2)` : undefined,
    sleeping && h.cpu !== undefined ? `last ran on CPU ${h.cpu}` : undefined,
  ].filter(Boolean);
  const base = sleeping ? who({ pid: h.pid, comm: h.comm }) : who(h);
  return notes.length ? `${base} (${notes.join(', ')})` : base;
}

/** The system call a task's kernel stack serves, from its entry frames (`ksys_write`, `__x64_sys_futex`). */
export function systemCall(stack: Stack): string | undefined {
  for (const f of stack.frames) {
    const m = /^(?:__x64_sys|__ia32_sys|__do_sys|__se_sys|ksys|sys)_(\w+)$/.exec(baseName(f.fn) ?? '');
    if (m) return m[1];
  }
  return undefined;
}

export function cycleSentence(input: StoryInput): string | undefined {
  const c = input.cycles[0];
  if (!c) return undefined;
  const edges = c.edges.map(
    (e) =>
      `${who(e.party)} holds ${e.holds.replace(/ \(.*$/, '')} and waits for ${e.waitsFor.replace(/, held by .*$/, '')}`,
  );
  return `${c.kind === 'ab-ba' ? 'AB-BA deadlock' : `deadlock cycle of ${c.edges.length}`}: ${edges.join('; ')}`;
}

export function sinceSentence(input: StoryInput): string | undefined {
  const report =
    input.report ??
    (input.classification.report !== undefined
      ? input.crash.reports[input.classification.report]
      : undefined);
  const parts: string[] = [];
  if (report?.stuckSeconds !== undefined) parts.push(`stuck for ${report.stuckSeconds} s when reported`);
  const up = input.crash.system.uptimeSeconds;
  if (up !== undefined) {
    const d = Math.floor(up / 86400);
    const hms = new Date((up % 86400) * 1000).toISOString().slice(11, 19);
    parts.push(`uptime ${d ? `${d} day${d > 1 ? 's' : ''}, ` : ''}${hms} at the crash`);
  }
  return parts.length ? parts.join('; ') : undefined;
}

export function knownSentence(input: StoryInput): string | undefined {
  const k = input.knownIssues.find((i) => i.confidence !== 'low');
  if (!k) return undefined;
  const fix = k.fix ? `; upstream fix ${k.fix.commit.slice(0, 12)} ("${k.fix.subject}")` : '';
  const wa = k.workaround ? `; workaround: ${k.workaround}` : '';
  return `this matches a known bug — ${k.title}${fix}${wa}`;
}

export function sentences(parts: (string | undefined)[]): string {
  return parts
    .filter((p): p is string => p !== undefined && p.length > 0)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .map((p) => (/[.!?]$/.test(p) ? p : `${p}.`))
    .join(' ');
}

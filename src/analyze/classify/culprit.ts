/**
 * The culprit: the function a human should look at first, with one sentence saying why.
 *
 * For faults and sanitizer reports it is the frame the title names (the faulting instruction or
 * the first frame past the reporting plumbing). For lockups and stalls the title names a stable
 * entry point, but the culprit is where the CPU was actually stuck: the first frame of the
 * interrupted context that is not a locking or watchdog primitive.
 */

import type { Crash, Evidence, Frame, Report, Stack } from '../../model/index.js';
import type { Classification } from '../results.js';
import type { ReportTitle } from './index.js';
import { skipPattern } from './title.js';

type Culprit = NonNullable<Classification['culprit']>;

/** Frames that are the machinery of a lockup report, not where a CPU was stuck. */
export const LOCKUP_PLUMBING = [
  'nmi',
  'watchdog',
  'perf_event',
  'perf_',
  'x86_pmu',
  'intel_pmu',
  'amd_pmu',
  'handle_pmi',
  'apic_timer_interrupt',
  'hrtimer',
  'tick_',
  'update_process_times',
  'rcu_',
  'irq_exit',
  'irq_enter',
  'sysvec_',
  'common_interrupt',
  'native_queued_spin_lock_slowpath',
  'queued_spin_lock_slowpath',
  'pv_queued_spin_lock',
  'cpu_relax',
  // The kdump path the panicking CPU is stopped in.
  'machine_kexec',
  'crash_kexec',
  '^panic$',
  'vpanic',
  'nmi_panic',
];

const bare = (fn: string): string => {
  const dot = fn.indexOf('.');
  return dot > 0 ? fn.slice(0, dot) : fn;
};

export function formatRip(fn: string, offset?: number, size?: number): string {
  if (offset === undefined) return fn;
  return size === undefined
    ? `${fn}+0x${offset.toString(16)}`
    : `${fn}+0x${offset.toString(16)}/0x${size.toString(16)}`;
}

function frameEvidence(frame: Frame | undefined, fallback: Evidence): Evidence[] {
  return frame?.evidence ? [frame.evidence, fallback] : [fallback];
}

/** Frames of the context the CPU was interrupted in (after the last in-trace exception frame). */
export function interruptedFrames(stack: Stack): Frame[] {
  const last = stack.exceptions[stack.exceptions.length - 1];
  const from = last ? last.beforeFrame : 0;
  const frames = stack.frames.slice(from).filter((f) => f.reliable && f.context !== 'nmi');
  return frames.length > 0 ? frames : stack.frames.filter((f) => f.reliable);
}

/** Where a stuck CPU was: the first interrupted frame that is not a primitive or plumbing. */
export function stuckFrame(stack: Stack): Frame | undefined {
  const skip = skipPattern(LOCKUP_PLUMBING);
  const frames = interruptedFrames(stack);
  const last = stack.exceptions[stack.exceptions.length - 1];
  if (last?.ripFunction && !last.bogus && !skip.test(bare(last.ripFunction))) {
    const f = frames.find((fr) => fr.fn === last.ripFunction);
    if (f) return f;
    return {
      fn: last.ripFunction,
      offset: last.ripOffset,
      reliable: true,
      context: 'task',
      evidence: last.evidence,
    };
  }
  return frames.find((f) => f.fn !== undefined && !skip.test(bare(f.fn)));
}

/** The stack a lockup or stall report is about: its own, or the first stalled CPU's backtrace. */
export function stuckStack(crash: Crash, report: Report): Stack | undefined {
  for (const cpu of report.stalledCpus ?? []) {
    const s = crash.stacks.find(
      (st) => st.origin === 'nmi-backtrace' && st.cpu === cpu && st.frames.length > 0,
    );
    if (s) return s;
  }
  return report.stack;
}

const LOCKUP_KINDS = new Set(['hard-lockup', 'soft-lockup', 'rcu-stall']);

export function culpritOf(crash: Crash, report: Report, t: ReportTitle): Culprit | undefined {
  const head: Evidence = { source: 'log', line: report.startLine, text: report.header.trim() };
  const kind = t.kind ?? 'unknown';
  if (LOCKUP_KINDS.has(kind)) {
    const stack = stuckStack(crash, report);
    const frame = stack ? stuckFrame(stack) : undefined;
    if (frame?.fn) {
      const where =
        stack?.cpu !== undefined
          ? `CPU ${stack.cpu}`
          : report.cpu !== undefined
            ? `CPU ${report.cpu}`
            : 'The CPU';
      const entry =
        t.frame && bare(t.frame) !== bare(frame.fn) ? `; the title names its entry point ${t.frame}` : '';
      return withModule(
        {
          function: frame.fn,
          why: `${where} was stuck in ${frame.fn} when the ${kind === 'rcu-stall' ? 'RCU stall detector' : 'watchdog'} fired${entry}.`,
          evidence: frameEvidence(frame, head),
        },
        frame,
      );
    }
  }
  if (!t.frame) return undefined;
  const frame = findFrame(report, t.frame);
  const fn = t.frame;
  let why: string;
  if (kind === 'hung-task') {
    why = `Task ${report.comm ?? '?'}${report.pid !== undefined ? `:${report.pid}` : ''} was blocked${report.stuckSeconds ? ` for more than ${report.stuckSeconds}s` : ''} waiting under ${fn}, the first frame that is not scheduling, locking or waiting.`;
  } else if (kind === 'deadlock' || kind === 'lockdep') {
    why = `Lockdep saw ${fn} take the lock in the order that closes the cycle.`;
  } else if (report.ripFunction && bare(report.ripFunction) === fn) {
    why = `The faulting instruction is in ${fn} (RIP ${formatRip(report.ripFunction, report.ripOffset, report.ripSize)}).`;
  } else if (kind === 'warning' || kind === 'bug') {
    why = `The first frame of the report past the WARN/BUG machinery and generic helpers is ${fn}.`;
  } else {
    why = `The first frame of the report past the reporting machinery and generic helpers is ${fn}.`;
  }
  return withModule({ function: fn, why, evidence: frameEvidence(frame, head) }, frame);
}

function withModule(c: Culprit, frame: Frame | undefined): Culprit {
  if (frame?.module) c.module = frame.module;
  return c;
}

function findFrame(report: Report, name: string): Frame | undefined {
  const stacks = [report.stack, ...(report.otherStacks ?? []).map((o) => o.stack)];
  for (const s of stacks) {
    const f = s?.frames.find(
      (fr) => fr.fn !== undefined && (fr.fn === name || bare(fr.fn) === name || bare(fr.fn).endsWith(name)),
    );
    if (f) return f;
  }
  return undefined;
}

export function panicFacts(crash: Crash, report: Report | undefined): Classification['panic'] {
  const sys = crash.system;
  const out: NonNullable<Classification['panic']> = {};
  const cpu = sys.panicCpu ?? report?.cpu;
  if (cpu !== undefined) out.cpu = cpu;
  const pid = sys.panicPid ?? report?.pid;
  if (pid !== undefined) out.pid = pid;
  const comm = sys.panicComm ?? report?.comm;
  if (comm !== undefined) out.comm = comm;
  if (report?.ripFunction && (sys.panicCpu === undefined || report.cpu === sys.panicCpu)) {
    out.rip = formatRip(report.ripFunction, report.ripOffset, report.ripSize);
  } else if (cpu !== undefined) {
    const stack = crash.stacks.find((s) => s.cpu === cpu && s.frames.length > 0);
    const last = stack?.exceptions[stack.exceptions.length - 1];
    if (last?.ripFunction) out.rip = formatRip(last.ripFunction, last.ripOffset);
    else if (stack?.regs && stack.frames[0]?.fn)
      out.rip = formatRip(stack.frames[0].fn, stack.frames[0].offset, stack.frames[0].size);
  }
  if (sys.panic) out.text = sys.panic;
  return Object.keys(out).length > 0 ? out : undefined;
}

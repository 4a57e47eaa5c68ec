/**
 * The hung-task story: which tasks were blocked, for how long, in what, and on whose lock — the
 * owners of the mutexes the input printed, a cycle between them when the waiters are known.
 */

import type { Stack } from '../model/index.js';
import { contextFunctions, stacksOf } from './frames.js';
import {
  cycleSentence,
  holderSentence,
  knownSentence,
  type StoryInput,
  sentences,
  sinceSentence,
} from './story-parts.js';
import { waitKindOf } from './wait-kinds.js';

export function tellHungTask(input: StoryInput): string {
  const { crash } = input;
  // The blocked tasks' own reports, not the panic that followed them (its task is khungtaskd).
  const hung = crash.reports.filter(
    (r, i) => (input.reportKinds[i] ?? r.kind) === 'hung-task' && !/Kernel panic/.test(r.header),
  );
  const seen = new Set<string>();
  const blocked = (
    hung.length
      ? hung.map((r) => ({ pid: r.pid, comm: r.comm, secs: r.stuckSeconds, stack: r.stack }))
      : stacksOf(crash)
          .filter((s) => s.pid !== crash.system.panicPid && !s.frames.some((f) => f.fn === 'panic'))
          .filter((s) => crash.tasks.some((t) => t.state === 'UN' && t.pid === s.pid))
          .map((s) => ({ pid: s.pid, comm: s.comm, secs: undefined, stack: s }))
  ).filter((b) => {
    const key = String(b.pid ?? b.comm);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const list = blocked
    .slice(0, 6)
    .map((b) => `pid ${b.pid ?? '?'} "${b.comm ?? '?'}"${b.stack ? ` in ${waitPath(b.stack)}` : ''}`)
    .join('; ');
  const secs = blocked.find((b) => b.secs !== undefined)?.secs;
  const head = `hung task${blocked.length > 1 ? 's' : ''}: ${blocked.length || 'some'} task${blocked.length === 1 ? '' : 's'} blocked in uninterruptible sleep${secs !== undefined ? ` for more than ${secs} s` : ''}${list ? ` — ${list}` : ''}`;
  const sameWait = new Set(blocked.map((b) => (b.stack ? waiting(b.stack)[0] : undefined)));
  const probable =
    !input.cycles.length && blocked.length === 2 && sameWait.size === 1 && [...sameWait][0]?.includes('mutex')
      ? 'both wait in the same mutex path: an AB-BA between them is likely; the mutexes’ owner fields (crash: `struct mutex <address>`, or ktriage on the vmcore) would prove it'
      : undefined;
  return sentences([
    head,
    cycleSentence(input) ?? holderSentence(input),
    probable,
    input.cycles.length
      ? undefined
      : waitSentence(blocked.flatMap((b) => (b.stack ? [{ pid: b.pid, stack: b.stack }] : []))),
    sinceSentence(input),
    knownSentence(input),
  ]);
}

/** What the blocked tasks sleep on, by kind, with where to look next. */
function waitSentence(blocked: { pid?: number; stack: Stack }[]): string | undefined {
  const byKind = new Map<string, { what: string; next: string; who: string[] }>();
  for (const b of blocked) {
    const k = waitKindOf(waiting(b.stack));
    if (!k) continue;
    const entry = byKind.get(k.kind) ?? { what: k.what, next: k.next, who: [] };
    entry.who.push(`pid ${b.pid ?? '?'} in ${k.fn}`);
    byKind.set(k.kind, entry);
  }
  if (byKind.size === 0) return undefined;
  const parts = [...byKind.values()].map(
    (e) => `${e.what} (${e.who.slice(0, 3).join(', ')}) — look at ${e.next}`,
  );
  return `${blocked.length > 1 ? 'They wait' : 'It waits'} for ${parts.join('; and for ')}`;
}

const SCHEDULER =
  /^(__schedule|schedule|schedule_preempt_disabled|schedule_timeout|io_schedule|schedule_hrtimeout_range|context_switch|__switch_to)/;

/** The functions a blocked task waits in, scheduler frames left out: `__mutex_lock`, its caller… */
function waiting(stack: Stack): string[] {
  return contextFunctions(stack).filter((f) => !SCHEDULER.test(f));
}

/** `lab_mutex_thread_ab → lab_mutex_lock_pair → __mutex_lock`. */
function waitPath(stack: Stack): string {
  return waiting(stack).slice(0, 3).reverse().join(' → ');
}

/**
 * The hung-task story: which tasks were blocked, for how long, in what, and on whose lock — the
 * owners of the mutexes the input printed, a cycle between them when the waiters are known.
 */

import { contextFunctions, stacksOf } from './frames.js';
import {
  cycleSentence,
  holderSentence,
  knownSentence,
  pathTo,
  type StoryInput,
  sentences,
  sinceSentence,
} from './story-parts.js';

export function tellHungTask(input: StoryInput): string {
  const { crash } = input;
  const hung = crash.reports.filter((r) => r.kind === 'hung-task');
  const blocked = hung.length
    ? hung.map((r) => ({ pid: r.pid, comm: r.comm, secs: r.stuckSeconds, stack: r.stack }))
    : stacksOf(crash)
        .filter((s) => crash.tasks.some((t) => t.state === 'UN' && t.pid === s.pid))
        .map((s) => ({ pid: s.pid, comm: s.comm, secs: undefined, stack: s }));
  const list = blocked
    .slice(0, 6)
    .map((b) => `pid ${b.pid ?? '?'} "${b.comm ?? '?'}"${b.stack ? ` in ${pathTo(b.stack, 2)}` : ''}`)
    .join('; ');
  const secs = blocked.find((b) => b.secs !== undefined)?.secs;
  const head = `hung task${blocked.length > 1 ? 's' : ''}: ${blocked.length || 'some'} task${blocked.length === 1 ? '' : 's'} blocked in uninterruptible sleep${secs !== undefined ? ` for more than ${secs} s` : ''}${list ? ` — ${list}` : ''}`;
  const sameWait = new Set(
    blocked.map((b) => (b.stack ? contextFunctions(b.stack).find((f) => !/schedule/.test(f)) : undefined)),
  );
  const probable =
    !input.cycles.length && blocked.length === 2 && sameWait.size === 1 && [...sameWait][0]?.includes('mutex')
      ? 'both wait in the same mutex path: an AB-BA between them is likely; the mutexes’ owner fields (`struct mutex ADDR`) would prove it'
      : undefined;
  return sentences([
    head,
    cycleSentence(input) ?? holderSentence(input),
    probable,
    sinceSentence(input),
    knownSentence(input),
  ]);
}

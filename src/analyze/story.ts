/** The one-paragraph story of the crash, told by the teller of its kind (lockup, RCU stall, hung task). */

import type { Crash, CrashKind, Report } from '../model/index.js';
import { classify } from './classify/index.js';
import { kindOfPanicMessage } from './classify/kinds.js';
import { titleFunction } from './classify/title.js';
import { fault } from './fault.js';
import { tellHungTask } from './hung.js';
import { irqState } from './irq.js';
import { kasan } from './kasan.js';
import { knownBugs } from './known-bugs/index.js';
import { tellListCorruption } from './list-corruption.js';
import { tellLockdep } from './lockdep.js';
import { locks } from './locks.js';
import { tellLockup } from './lockup.js';
import { oom } from './oom.js';
import { explainPanicMessage } from './panic-messages.js';
import { tellRcuStall } from './rcu.js';
import type { Classification } from './results.js';
import { spin } from './spin.js';
import { stackGroups } from './stacks.js';
import type { StoryInput } from './story-parts.js';
import { defineAnalyzer } from './types.js';
import { warning } from './warning.js';

const STORY_KINDS = new Set<CrashKind>(['hard-lockup', 'soft-lockup', 'rcu-stall', 'hung-task']);

/**
 * The story follows what stopped the machine: the headline when it is a lockup, stall or hung
 * task; else the first such report (a "scheduling while atomic" BUG may come first in the log,
 * but the soft lockup it caused is what panicked); else the panic message's kind.
 */
function storyKind(
  crash: Crash,
  c: Classification & { reports?: { kind?: CrashKind }[] },
): { kind: CrashKind; report?: Report } {
  const headline = c.report !== undefined ? crash.reports[c.report] : undefined;
  if (STORY_KINDS.has(c.kind)) return headline ? { kind: c.kind, report: headline } : { kind: c.kind };
  const kinds = c.reports?.map((r) => r.kind) ?? crash.reports.map((r) => r.kind);
  const i = kinds.findIndex((k) => k !== undefined && STORY_KINDS.has(k));
  if (i >= 0) return { kind: kinds[i]!, report: crash.reports[i]! };
  const panic = crash.system.panic ? kindOfPanicMessage(crash.system.panic) : undefined;
  if (panic && STORY_KINDS.has(panic)) return { kind: panic };
  return { kind: c.kind };
}

/** The OOM report that led to the end (the last one), and how many came before it. */
function tellOom(summaries: string[]): string | undefined {
  const last = summaries.at(-1);
  if (!last || summaries.length === 1) return last;
  return `${last} (The last of ${summaries.length} OOM-killer reports in this log.)`;
}

/** The task that wrote to /proc/sysrq-trigger, when the panic stack shows the write. */
function sysrqWriter(crash: Crash): string | undefined {
  const pid = crash.system.panicPid;
  // Only a write to /proc/sysrq-trigger makes the panicking task the one that asked for it.
  const wrote = crash.stacks.some((s) => s.frames.some((f) => f.fn === 'write_sysrq_trigger'));
  if (pid === undefined || !wrote) return undefined;
  const comm = crash.tasks.find((t) => t.pid === pid)?.comm ?? crash.reports.find((r) => r.pid === pid)?.comm;
  return `pid ${pid}${comm ? ` "${comm}"` : ''}`;
}

export const story = defineAnalyzer<string | undefined>({
  meta: { id: 'story', description: 'One paragraph: who fired, who is stuck, who they wait on, since when' },
  analyze(crash, context) {
    const { locks: found, cycles } = context.get(locks);
    const classification = context.get(classify);
    const { kind, report } = storyKind(crash, classification);
    const input: StoryInput = {
      crash,
      classification,
      kind,
      ...(report !== undefined ? { report } : {}),
      reportKinds: classification.reports.map((r) => r.kind),
      spinners: context.get(spin).spinners,
      locks: found,
      cycles,
      irq: context.get(irqState),
      groups: context.get(stackGroups).groups,
      knownIssues: context.get(knownBugs),
    };
    let text: string | undefined;
    if (kind === 'hard-lockup' || kind === 'soft-lockup') text = tellLockup(input);
    else if (kind === 'rcu-stall') text = tellRcuStall(input);
    else if (kind === 'hung-task') text = tellHungTask(input);
    else if (kind === 'deadlock' && cycles.length) text = tellLockup(input);
    else if (kind === 'deadlock' || kind === 'lockdep') text = tellLockdep(crash.reports);
    else if (kind === 'list-corruption')
      text = tellListCorruption(crash.reports, titleFunction(classification.title));
    else if (kind === 'oom') text = tellOom(context.get(oom).map((v) => v.summary));
    else if (kind === 'warning' || kind === 'refcount')
      text = (context.get(warning).find((v) => v.report === classification.report) ?? context.get(warning)[0])
        ?.summary;
    else if (kind === 'kasan')
      text = (context.get(kasan).find((v) => v.report === classification.report) ?? context.get(kasan)[0])
        ?.summary;
    else {
      const faults = context.get(fault);
      // The oops the headline names; a bare panic ("Fatal exception") tells the oops before it.
      const own = faults.find((f) => f.report === classification.report);
      text = (own ?? (kind === 'panic' ? faults[0] : undefined))?.summary;
      if (!text && kind === 'panic') text = explainPanicMessage(crash.system.panic, sysrqWriter(crash));
    }
    return { result: text || undefined, findings: [] };
  },
});

/**
 * The RCU stall story: which CPUs did not pass a quiescent state and what they were doing. CPUs
 * spinning with interrupts off under an RCU stall are a real hard lockup that no NMI watchdog
 * caught (guests without a PMU, `nmi_watchdog=0`): said so explicitly.
 */

import { interruptedContextMissing, stacksOf, uniqueStacks } from './frames.js';
import {
  cycleSentence,
  holderSentence,
  knownSentence,
  type StoryInput,
  sentences,
  sinceSentence,
  waitersSentence,
  whereSentence,
  who,
} from './story-parts.js';

export function tellRcuStall(input: StoryInput): string {
  const { crash } = input;
  const report = input.report;
  const stalled = report?.stalledCpus ?? [];
  const head = stalled.length
    ? `RCU stall on CPU${stalled.length > 1 ? 's' : ''} ${stalled.join(',')}: ${stalled.length > 1 ? 'they' : 'it'} did not pass a quiescent state`
    : 'RCU stall: a grace period did not end because some CPU did not pass a quiescent state';
  const offSpinners = input.spinners.filter((s) => s.interruptsDisabled);
  const hard =
    offSpinners.length > 0
      ? `${offSpinners.length} CPU${offSpinners.length > 1 ? 's' : ''} (${offSpinners.map((s) => s.cpu ?? '?').join(',')}) spin with interrupts disabled — a true hard lockup, caught by the RCU stall detector because no NMI watchdog fired`
      : undefined;
  const first = input.spinners[0];
  const where = first ? whereSentence(input, stacksOf(crash)[first.stack]!, first.stack) : undefined;
  // Without spinners, say where the stalled CPUs were (their NMI backtraces or bt -a).
  const stalledWhere = first
    ? undefined
    : stalled
        .slice(0, 3)
        .map((cpu) => {
          const active = crash.cpus.find((c) => c.id === cpu);
          const stacks = stacksOf(crash);
          const i = uniqueStacks(crash).find((j) => {
            const st = stacks[j]!;
            if (st.cpu !== cpu || interruptedContextMissing(st)) return false;
            return active?.pid !== undefined ? st.pid === active.pid : st.pid !== 0;
          });
          if (i === undefined) return undefined;
          const stack = stacksOf(crash)[i]!;
          const where = whereSentence(input, stack, i);
          return where ? `CPU ${cpu} (${who({ pid: stack.pid, comm: stack.comm })}): ${where}` : undefined;
        })
        .filter((x): x is string => x !== undefined)
        .join('; ');
  return sentences([
    head,
    hard,
    first && where ? `${who(stacksOf(crash)[first.stack]!)}: ${where}` : stalledWhere || undefined,
    waitersSentence(input, first ? stacksOf(crash)[first.stack] : undefined),
    cycleSentence(input) ?? holderSentence(input),
    sinceSentence(input),
    knownSentence(input),
  ]);
}

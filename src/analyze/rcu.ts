/**
 * The RCU stall story: which CPUs did not pass a quiescent state and what they were doing. CPUs
 * spinning with interrupts off under an RCU stall are a real hard lockup that no NMI watchdog
 * caught (guests without a PMU, `nmi_watchdog=0`): said so explicitly.
 */

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
  const { crash, classification } = input;
  const report = classification.report !== undefined ? crash.reports[classification.report] : undefined;
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
  const where = first ? whereSentence(input, crash.stacks[first.stack]!, first.stack) : undefined;
  return sentences([
    head,
    hard,
    first && where ? `${who(crash.stacks[first.stack]!)}: ${where}` : undefined,
    waitersSentence(input, first?.stack),
    cycleSentence(input) ?? holderSentence(input),
    sinceSentence(input),
    knownSentence(input),
  ]);
}

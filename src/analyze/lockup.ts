/**
 * The hard/soft lockup story: who fired, where the stuck CPU was (and with interrupts off since
 * which frame), who else waits there, the likely holder or the deadlock cycle, since when, and the
 * known bug it matches.
 */

import {
  cycleSentence,
  firingStack,
  holderSentence,
  knownSentence,
  type StoryInput,
  sentences,
  sinceSentence,
  waitersSentence,
  whereSentence,
  who,
} from './story-parts.js';

export function tellLockup(input: StoryInput): string {
  const { crash, classification } = input;
  const hard = input.kind === 'hard-lockup';
  const fired = firingStack(input);
  const cpu = classification.panic?.cpu ?? crash.system.panicCpu ?? fired?.stack.cpu;
  const head = hard
    ? `hard lockup on CPU ${cpu ?? '?'}: the NMI watchdog found it running with interrupts off${fired ? ` (${who(fired.stack)})` : ''}`
    : `soft lockup on CPU ${cpu ?? '?'}${fired ? ` (${who(fired.stack)})` : ''}: it did not schedule for longer than the watchdog threshold`;
  return sentences([
    head,
    fired ? whereSentence(input, fired.stack, fired.index) : undefined,
    waitersSentence(input, fired?.stack),
    cycleSentence(input) ?? holderSentence(input),
    sinceSentence(input),
    knownSentence(input),
  ]);
}

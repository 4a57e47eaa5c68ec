/** The one-paragraph story of the crash, told by the teller of its kind (lockup, RCU stall, hung task). */

import { classify } from './classify/index.js';
import { tellHungTask } from './hung.js';
import { irqState } from './irq.js';
import { knownBugs } from './known-bugs/index.js';
import { locks } from './locks.js';
import { tellLockup } from './lockup.js';
import { tellRcuStall } from './rcu.js';
import { spin } from './spin.js';
import { stackGroups } from './stacks.js';
import type { StoryInput } from './story-parts.js';
import { defineAnalyzer } from './types.js';

export const story = defineAnalyzer<string | undefined>({
  meta: { id: 'story', description: 'One paragraph: who fired, who is stuck, who they wait on, since when' },
  analyze(crash, context) {
    const { locks: found, cycles } = context.get(locks);
    const input: StoryInput = {
      crash,
      classification: context.get(classify),
      spinners: context.get(spin).spinners,
      locks: found,
      cycles,
      irq: context.get(irqState),
      groups: context.get(stackGroups).groups,
      knownIssues: context.get(knownBugs),
    };
    const kind = input.classification.kind;
    let text: string | undefined;
    if (kind === 'hard-lockup' || kind === 'soft-lockup') text = tellLockup(input);
    else if (kind === 'rcu-stall') text = tellRcuStall(input);
    else if (kind === 'hung-task') text = tellHungTask(input);
    else if (kind === 'deadlock' && cycles.length) text = tellLockup(input);
    return { result: text || undefined, findings: [] };
  },
});

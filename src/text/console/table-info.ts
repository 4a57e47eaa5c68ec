/** Rows of the `INFO:` group: old-style lockdep, RCU stalls, hung tasks. */

import { pattern, RIP_LINE } from './patterns.js';
import type { TitleRow } from './table-types.js';
import { trace, traceOnly } from './table-types.js';

/** Old lockdep printed its "at:" sites with a PC and a banner ending in ` ]`. */
const OLD_LOCK_SITE = pattern('at: {{PC}} +{{FUNC}}');

/** RCU stall stacks: the interesting part starts after the timer interrupt that detected it. */
const TIMER_IRQ = /apic_timer_interrupt/;

export const INFO_ROWS: TitleRow[] = [
  {
    id: 'old-lockdep-circular',
    title: /INFO: possible circular locking dependency detected/,
    report: [
      /INFO: possible circular locking dependency detected \]/,
      /is trying to acquire lock/,
      OLD_LOCK_SITE,
    ],
    template: 'possible deadlock in {1}',
    kind: 'deadlock',
  },
  {
    id: 'old-lockdep-irq-inversion',
    title: /INFO: possible irq lock inversion dependency detected/,
    report: [
      /INFO: possible irq lock inversion dependency detected \]/,
      /just changed the state of lock/,
      OLD_LOCK_SITE,
    ],
    template: 'possible deadlock in {1}',
    kind: 'deadlock',
  },
  {
    id: 'old-lockdep-softirq',
    title: /INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected/,
    report: [
      /INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected \]/,
      /is trying to acquire/,
      OLD_LOCK_SITE,
    ],
    template: 'possible deadlock in {1}',
    kind: 'deadlock',
  },
  {
    id: 'old-lockdep-recursive',
    title: /INFO: possible recursive locking detected/,
    report: [/INFO: possible recursive locking detected \]/, /is trying to acquire lock/, OLD_LOCK_SITE],
    template: 'possible deadlock in {1}',
    kind: 'deadlock',
  },
  {
    id: 'old-lockdep-inconsistent',
    title: /INFO: inconsistent lock state/,
    report: [/INFO: inconsistent lock state \]/, /takes/, OLD_LOCK_SITE],
    template: 'inconsistent lock state in {1}',
    kind: 'lockdep',
  },
  {
    id: 'rcu-stall',
    title: /INFO: rcu_(?:preempt|sched|bh|tasks\w*) (?:self-)?detected(?: expedited)? stall/,
    template: 'INFO: rcu detected stall in {1}',
    alt: ['stall in {1}'],
    stack: {
      parts: [TIMER_IRQ, RIP_LINE, trace],
      fallback: [/(?:apic_timer_interrupt|Exception stack|el1h_64_irq)/, trace],
      skip: ['apic_timer_interrupt', 'rcu'],
      rule: 'stall',
    },
    kind: 'rcu-stall',
  },
  {
    id: 'non-static-key',
    title: /INFO: trying to register non-static key/,
    template: 'INFO: trying to register non-static key in {1}',
    stack: { parts: traceOnly, skip: ['stack', 'lock', 'IRQ'] },
    kind: 'lockdep',
  },
  {
    id: 'info-suspicious-rcu',
    title: /INFO: suspicious RCU usage/,
    report: [/INFO: suspicious RCU usage/, pattern('{{SRC}}')],
    template: 'INFO: suspicious RCU usage in {2}',
    stack: { parts: traceOnly, skip: ['rcu', 'kmem', 'slab'] },
    kind: 'lockdep',
  },
  {
    id: 'hung-task',
    title: /INFO: task .* blocked (?:in I\/O wait )?for more than [0-9]+ seconds/,
    template: 'INFO: task hung in {1}',
    alt: ['hang in {1}'],
    stack: { parts: traceOnly, rule: 'hang' },
    kind: 'hung-task',
  },
  {
    // A task name with a newline in it splits the header over two lines.
    id: 'hung-task-split',
    title: /INFO: task /,
    report: [/INFO: task /, /blocked (?:in I\/O wait )?for more than [0-9]+ seconds/],
    template: 'INFO: task hung in {1}',
    alt: ['hang in {1}'],
    stack: { parts: traceOnly, rule: 'hang' },
    kind: 'hung-task',
  },
  {
    id: 'task-cant-die',
    title: /INFO: task .* can't die for more than .* seconds/,
    template: "INFO: task can't die in {1}",
    alt: ['hang in {1}'],
    stack: { parts: traceOnly, skip: ['schedule'] },
    kind: 'hung-task',
  },
  {
    // What is left of an old-style KASAN report when its head is lost.
    id: 'old-kasan-cut',
    title: /INFO: (Freed|Allocated) in (.*)/,
    template: 'INFO: {1} in {2}',
    corrupted: true,
    kind: 'kasan',
  },
  { id: 'info-cut', title: /INFO:\s*$/, template: 'INFO: corrupted', corrupted: true, kind: 'unknown' },
];

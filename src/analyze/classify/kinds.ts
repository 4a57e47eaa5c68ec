/**
 * Kinds that a panic message implies, for panics that are the headline (no earlier report) and for
 * crash transcripts that carry only `sys`'s PANIC string. First matching substring wins.
 */

import type { CrashKind } from '../../model/index.js';

export const PANIC_MESSAGE_KINDS: [string, CrashKind][] = [
  ['hard LOCKUP', 'hard-lockup'],
  ['Hard LOCKUP', 'hard-lockup'],
  ['softlockup', 'soft-lockup'],
  ['soft lockup', 'soft-lockup'],
  ['RCU Stall', 'rcu-stall'],
  ['hung_task', 'hung-task'],
  ['Out of memory', 'oom'],
  ['out of memory', 'oom'],
  ['stack-protector', 'stack-overflow'],
  ['stack overflow', 'stack-overflow'],
  ['corrupted stack end', 'stack-overflow'],
  ['panic_on_warn', 'warning'],
  ['Fatal exception', 'oops'],
  ['Oops', 'oops'],
  ['NULL pointer dereference', 'null-deref'],
  ['general protection fault', 'gpf'],
  ['BUG: unable to handle', 'paging-fault'],
  ['Attempted to kill init', 'panic'],
  ['sysrq triggered crash', 'panic'],
];

export function kindOfPanicMessage(message: string): CrashKind {
  for (const [needle, kind] of PANIC_MESSAGE_KINDS) if (message.includes(needle)) return kind;
  return 'panic';
}

/** Rows whose kind the panic message refines (the generic "Kernel panic - not syncing: …" row). */
export const GENERIC_PANIC_RULES = new Set(['panic']);

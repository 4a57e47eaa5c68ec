/**
 * A known bug as data: the signature a crash must show, and what to tell the user. Adding a bug is
 * adding an entry to bugs.ts (with the source that documents it), never code.
 */

import type { VersionRange } from '../../kernel/flags/version.js';
import type { CrashKind } from '../../model/index.js';

/** Facts the matcher computes from the analyzers, named so entries can require them. */
export type KnownBugCondition =
  /** A CPU/task spins (spin analyzer) inside one of `functions`. */
  | 'spinning-in-functions'
  /** A stopped context had interrupts disabled. */
  | 'interrupts-disabled'
  /** Uptime at the crash was more than 208.5 days (2^54 ns / sched_clock overflow class of bugs). */
  | 'uptime-over-208-days'
  /** A lockup report says a CPU was stuck for an impossible time (> 1 year). */
  | 'absurd-stuck-time'
  /** No lock contention was found: no spinner, no contended lock. */
  | 'no-lock-contention';

export interface KnownBugSignature {
  /** Upstream kernels that have the bug: [introduced, fixed). Distribution kernels are matched by `rhel` instead. */
  versions?: VersionRange;
  /** RHEL majors (el7 …) that carry it, with the errata kernel that fixed it where known. */
  rhel?: { major: number; fixedIn?: string }[];
  /** The crash kinds it produces. */
  kinds?: CrashKind[];
  /** Every one of these functions must be in some stack of the crash. */
  allFunctions?: string[];
  /** At least one of these must be. */
  anyFunctions?: string[];
  conditions?: KnownBugCondition[];
}

export interface KnownBug {
  id: string;
  title: string;
  signature: KnownBugSignature;
  fix?: { commit: string; subject: string; version?: string };
  errata?: string[];
  workaround?: string;
  /** Where this entry was researched (URLs). */
  references: string[];
}

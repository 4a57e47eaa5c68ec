/**
 * A report found in the log: one oops, warning, lockup, stall, hung-task notice, lockdep splat,
 * OOM, panic… Its text parts are lifted out by the console source; its kind and title are set by
 * the classifier (analyze/classify), which is the only place that decides them.
 */

import type { Evidence } from './evidence.js';
import type { CrashKind } from './kinds.js';
import type { RegisterSet } from './registers.js';
import type { Stack } from './stack.js';

export interface ReportLock {
  /** Lock name as lockdep prints it: `&mm->mmap_lock`, `rtnl_mutex`. */
  name: string;
  /** Class/instance address `ffff888…` when printed. */
  address?: bigint;
  /** `at: f+0x../0x..` acquisition site. */
  at?: string;
  /** The task that holds it (lockdep "N locks held by comm/pid"). */
  heldByPid?: number;
  heldByComm?: string;
  /** `lock(&a); lock(&b);` order roles in "possible unsafe locking scenario". */
  role?: 'held' | 'wanted';
  evidence?: Evidence;
}

export interface Report {
  /** Set by the classifier. Sources leave `undefined` or a provisional guess in `header`. */
  kind?: CrashKind;
  title?: string;
  altTitles?: string[];
  /** The first line of the report (the "oops line"), verbatim. */
  header: string;
  /** 1-based input lines [start, end] the report spans. */
  startLine: number;
  endLine: number;
  cpu?: number;
  pid?: number;
  comm?: string;
  taint?: string;
  release?: string;
  version?: string;
  hardware?: string;
  /** `RIP: 0010:func+0x1a/0x40` (x86) / `pc : func+0x…` (arm64), symbolized. */
  ripFunction?: string;
  ripOffset?: number;
  ripSize?: number;
  ripModule?: string;
  regs?: RegisterSet;
  /** Faulting address (CR2, `address: …`, KASAN `addr`). */
  faultAddress?: bigint;
  /** Access size/direction for KASAN-style reports: `Read of size 8`. */
  access?: { kind: 'read' | 'write'; size?: number };
  /** Main stack of the report (the Call Trace). */
  stack?: Stack;
  /** Additional stacks (KASAN alloc/free stacks, lockdep dependency chain, other CPUs). */
  otherStacks?: { label: string; stack: Stack }[];
  /** `Code: 48 89 e5 <0f> 0b …` bytes, with the faulting byte index. */
  code?: { bytes: number[]; faultIndex?: number };
  modules?: string[];
  /** Locks named in the report (lockdep, hung-task lock lists). */
  locks?: ReportLock[];
  /** Lockup/stall facts: stuck seconds, stalled CPUs, blocked seconds. */
  stuckSeconds?: number;
  stalledCpus?: number[];
  /** Raw lines of the report, prefixes stripped (what classifiers and humans read). */
  lines: string[];
  /** The report is damaged: interleaved, truncated, no frames. */
  corrupted?: boolean;
  corruptedReason?: string;
  /** A panic that followed (panic_on_warn, softlockup_panic…). */
  panicText?: string;
  evidence?: Evidence;
}

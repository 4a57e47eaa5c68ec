/**
 * A report found in the log: one oops, warning, lockup, stall, hung-task notice, lockdep splat,
 * OOM, panic… Its text parts are lifted out by the console source; its kind and title are set by
 * the classifier (analyze/classify), which is the only place that decides them.
 */

import type { Evidence } from './evidence.js';
import type { CrashKind } from './kinds.js';
import type { RegisterSet } from './registers.js';
import type { Stack } from './stack.js';

/** A task row of the OOM killer's task table (`[  pid  ]   uid  tgid total_vm      rss …  name`). */
export interface OomTask {
  pid: number;
  comm: string;
  /** Pages. */
  rss: number;
  totalVm?: number;
  oomScoreAdj?: number;
}

/**
 * What an OOM-killer report printed: who asked, for what, the memory counters, the biggest tasks,
 * and what was killed. Counters are in pages (Mem-Info, `pages RAM`) or kB as the kernel prints them.
 */
export interface OomFacts {
  invoker: { comm: string; pid?: number };
  /** `0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)` as printed. */
  gfpMask?: string;
  order?: number;
  /** `CONSTRAINT_NONE`, `CONSTRAINT_MEMCG`, `CONSTRAINT_CPUSET`, `CONSTRAINT_MEMORY_POLICY`. */
  constraint?: string;
  /** A memory cgroup OOM: its path and the limit it hit (kB). */
  memcg?: { path?: string; usageKb?: number; limitKb?: number };
  /** Mem-Info counters (pages): free, anon, file, shmem, slab, page tables. */
  pages: Record<string, number>;
  ramPages?: number;
  reservedPages?: number;
  swapTotalKb?: number;
  swapFreeKb?: number;
  /** The task table's biggest rows by RSS (at most 10), and how many rows and pages it had in all. */
  topTasks: OomTask[];
  taskCount: number;
  taskRssPages: number;
  /** `Unreclaimable slab info:` rows (kB), biggest first, at most 5. */
  slabs: { name: string; usedKb: number }[];
  killed?: { pid: number; comm: string; anonRssKb?: number; fileRssKb?: number; shmemRssKb?: number };
  /** The line that says what happened instead of a kill (panic_on_oom, no killable process). */
  outcome?: string;
}

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

/** How the classifier picks the frame of a slot: first kept frame, or the stall / hang anchors. */
export type FrameRule = 'first' | 'stall' | 'hang';

/**
 * What the console source's report table matched, so the classifier can finish the title from
 * structured data (the source runs the patterns over text; the classifier never does).
 */
export interface ReportMatch {
  /** Row id in the source's table (`kasan-access`, `soft-lockup`, `hung-task`…). */
  rule: string;
  /** Title template: `{1}`… are `args`, then one placeholder per frame slot. */
  template: string;
  altTemplates: string[];
  /** Text captured by the row (bug type, access direction, source file, panic message). */
  args: string[];
  /** Candidate function names per frame slot, in report order, before any skipping. */
  frameSlots: string[][];
  /** A fault-injection stack was crossed while reading the slots (they may mix two stacks). */
  slotsDamaged?: boolean;
  /** Frame slots of the row's fallback stack spec, used when the first spec yields no frame. */
  fallbackSlots?: string[][];
  fallbackDamaged?: boolean;
  frameRule: FrameRule;
  /** The row's own skip patterns (regex sources over function names). */
  skip: string[];
  /** Kind the row implies; the classifier may refine it. */
  kindHint: CrashKind;
  /** Matching this row means the report is damaged (its real head was lost). */
  rowCorrupted?: boolean;
  /** The row's title matched but its full pattern did not. */
  partial?: boolean;
  /** Damage the source saw in the text (no frames after a Call Trace, a stamp in the title line…). */
  textDamage?: string;
  noStackTrace?: boolean;
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
  /**
   * The x86 page-fault error code and what it says (`#PF: supervisor write access in kernel mode`,
   * `#PF: error_code(0x0002) - not-present page`, or the `Oops: 0002` of older kernels).
   */
  pageFault?: {
    errorCode?: number;
    access?: 'read' | 'write' | 'fetch';
    userMode?: boolean;
    notPresent?: boolean;
  };
  /**
   * The object a KASAN report's address is in or next to: `The buggy address belongs to the object
   * at ADDR which belongs to the cache kmalloc-128 of size 128`, `located 28 bytes inside of`.
   */
  kasanObject?: {
    address: bigint;
    cache?: string;
    /** The region's size (what was allocated; on 6.1+ less than the cache's object size). */
    size?: number;
    /** Bytes from the object's start (inside), past its end (right), or before it (left). */
    distance?: number;
    relation?: 'inside' | 'right' | 'left';
  };
  /** The source line of a BUG() or WARN(): `kernel BUG at mm/slub.c:305!`, `WARNING: … at lib/refcount.c:28 …`. */
  bugAt?: string;
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
  /** A lockdep report's recorded dependency chain, in the order the locks were taken. */
  lockChain?: string[];
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
  /** What the source's report table matched (rule, template, frame candidates). */
  match?: ReportMatch;
  /** What an OOM-killer report printed (kind `oom`). */
  oom?: OomFacts;
  /** An event worth listing (OOM kill, NMI backtrace) that is not a crash by itself. */
  informational?: boolean;
  evidence?: Evidence;
}

/**
 * Result types of the analyzers that the reports and the JSON contract render. Kept in one place
 * so renderers depend on shapes, not on analyzer internals.
 */

import type { CrashKind, Evidence, OomFacts } from '../model/index.js';
import type { Finding } from './types.js';

/** Output of analyze/classify: the headline. */
export interface Classification {
  kind: CrashKind;
  /** syzkaller-style title, e.g. `BUG: soft lockup in sys_rmdir`. */
  title: string;
  altTitles: string[];
  /** Index into Crash.reports of the headline report, if any. */
  report?: number;
  /** The function that owns the crash and why it was chosen. */
  culprit?: { function: string; module?: string; why: string; evidence: Evidence[] };
  /** Low confidence: damaged report, title built from partial data. */
  corrupted: boolean;
  corruptedReason?: string;
  /** The panic that ended the machine, when different from the headline report. */
  panic?: { cpu?: number; pid?: number; comm?: string; rip?: string; text?: string };
}

export interface StackGroupMember {
  cpu?: number;
  pid?: number;
  comm?: string;
  /** Index into Crash.stacks. */
  stack: number;
  /** Offset of the innermost frame, to tell `+332` from `+336`. */
  topOffset?: number;
}

export interface StackGroup {
  /** Function sequence, innermost first, reliable frames only. */
  functions: string[];
  /** Where the stacks of the group are, exactly (`put_compound_page+336`). */
  top: string;
  count: number;
  members: StackGroupMember[];
  /** Distinct comms with counts, largest first. */
  comms: { comm: string; count: number }[];
  /** Count known only from a shell pipeline or partial output (the seed's `grep | wc -l`). */
  countSource?: 'stacks' | 'shell-count';
  /**
   * The background of every dump: tasks asleep in the scheduler (not in D state, not on a lock's
   * path) or idle CPUs. Listed after the groups that matter; reports collapse them when many.
   */
  background?: 'sleeping' | 'idle';
  /** For a background group: the function it waits in, past the scheduler (`worker_thread`, `do_idle`). */
  waitsIn?: string;
  evidence: Evidence[];
}

export type LockKind =
  | 'spinlock'
  | 'rwlock'
  | 'bit-spinlock'
  | 'page-bit-lock'
  | 'mutex'
  | 'rwsem'
  | 'csd'
  | 'seqlock'
  | 'unknown';

export interface LockParty {
  cpu?: number;
  pid?: number;
  comm?: string;
  /** Index into Crash.stacks. */
  stack?: number;
  state?: string;
  /** task_struct address, when that is all that is known (a mutex owner field). */
  task?: bigint;
}

export type Confidence = 'high' | 'medium' | 'low';

export interface LockFinding {
  address?: bigint;
  kind: LockKind;
  /** `PG_compound_lock (bit 24) of THP head page ffffea0123300000`, `lab_lock_a [lab_abba]`. */
  description: string;
  /** Bit number for bit locks. */
  bit?: number;
  waiters: LockParty[];
  /** Stacks stopped in the same loop whose task and CPU the input does not give (grep output). */
  unnamedWaiters?: number;
  holder?: LockParty & { confidence: Confidence; reasoning: string[] };
  /** Other candidate holders, ranked. */
  candidates?: (LockParty & { score: number; reasons: string[] })[];
  confidence: Confidence;
  reasoning: string[];
  evidence: Evidence[];
}

export interface DeadlockCycle {
  /** Each edge: `party` holds `holds` and waits for `waitsFor`. */
  edges: { party: LockParty; holds: string; waitsFor: string }[];
  kind: 'ab-ba' | 'cycle';
  evidence: Evidence[];
}

export interface KnownIssue {
  id: string;
  title: string;
  /** Upstream fix commit (12+ hex) and its subject. */
  fix?: { commit: string; subject: string; version?: string };
  errata?: string[];
  workaround?: string;
  /** Why it matched: which conditions held. */
  matched: string[];
  confidence: Confidence;
  references: string[];
}

export interface NextStep {
  /** A crash command with real addresses: `kmem ffffea0123300000`. */
  command: string;
  why: string;
}

/** A CPU or task that is busy-waiting, and on what (the `spin` analyzer's table). */
export interface Spinner {
  cpu?: number;
  pid?: number;
  comm?: string;
  stack: number;
  /** What kind of wait loop: `queued-spinlock`, `bit-spin-lock`, `csd-lock-wait`, `mutex-spin`, … */
  how: string;
  /** Where: `put_compound_page+336`. */
  at: string;
  /** Lock address when the registers/instructions tell it. */
  lockAddress?: bigint;
  /**
   * The lock word named when its address is not known: a RIP-relative global read from a log's
   * `Code:` bytes without RIP's address, as `fn+0x23b0` (the instruction's function plus offset).
   */
  lockName?: string;
  /** Index of the frame the wait was read from (the interrupted context's, an IRQ frame further out). */
  frame?: number;
  interruptsDisabled?: boolean;
  evidence: Evidence[];
}

/** A raw value decoded with a kernel-version table (page flags, TIF, task state, RFLAGS, taint). */
export interface DecodedValue {
  /** What was decoded: `page ffffea0123300000 flags`, `thread_info.flags of pid 24194`. */
  subject: string;
  raw: string;
  names: string[];
  /** The table used, e.g. `page-flags rhel7-3.10`, `tif x86_64`. */
  table: string;
  evidence: Evidence[];
}

/** Everything the reports render, built by analyze/diagnose from the analyzers' results. */
export type OomCause =
  | 'memcg-limit'
  | 'task'
  | 'tasks'
  | 'kernel-slab'
  | 'shmem'
  | 'fragmentation'
  | 'unknown';

export interface OomVerdict {
  /** Index of the OOM report in `crash.reports`. */
  report: number;
  cause: OomCause;
  /** The paragraph the story prints. */
  summary: string;
  facts: OomFacts;
}

/** An oops judged (analyze/fault.ts): the faulting instruction and what the bad address means. */
export interface FaultVerdict {
  /** Index of the report in `crash.reports`. */
  report: number;
  /** `fn+0x5 [module]`. */
  where?: string;
  address?: bigint;
  addressKind?: string;
  access?: 'read' | 'write' | 'fetch';
  /** The instruction at RIP, AT&T syntax. */
  instruction?: string;
  /** The register its memory operand goes through, its value, and the displacement (field offset). */
  pointer?: { register: string; value: bigint; offset: bigint };
  summary: string;
}

/** A KASAN report judged (analyze/kasan.ts). */
export interface KasanVerdict {
  /** Index of the report in `crash.reports`. */
  report: number;
  /** KASAN's bug type: `use-after-free`, `slab-out-of-bounds`… */
  bug: string;
  /** First frames of the allocation and free stacks past the allocator's own. */
  allocatedIn?: string[];
  freedIn?: string[];
  summary: string;
}

/** One CPU when the machine stopped (analyze/cpus.ts). */
export interface CpuActivity {
  cpu: number;
  pid?: number;
  comm?: string;
  /** What its stopped context was doing (activity.ts), `spinning` when a wait loop was recognised. */
  doing: 'spinning' | 'running' | 'idle' | 'sleeping' | 'reporting' | 'lockdep' | 'offline' | 'unknown';
  /** Where it was stopped: `put_compound_page+336`. */
  at?: string;
  interruptsOff?: boolean;
  /** Its part in the crash: the lock it waits for or holds, the panic. */
  note?: string;
}

/** A WARN_ON report judged (analyze/warning.ts). */
export interface WarningVerdict {
  report: number;
  /** `lib/refcount.c:28`. */
  at: string;
  function?: string;
  /** What a warning at that site means, for the well-known ones. */
  meaning?: string;
  panicOnWarn: boolean;
  summary: string;
}

export interface Diagnosis {
  classification: Classification;
  /** Kind and title of every report, in `crash.reports` order. */
  reports: { kind: CrashKind; title: string; corrupted: boolean }[];
  /** One paragraph: who fired, who is stuck, who they wait on, since when. */
  story?: string;
  stackGroups: StackGroup[];
  spinners: Spinner[];
  locks: LockFinding[];
  cycles: DeadlockCycle[];
  decoded: DecodedValue[];
  knownIssues: KnownIssue[];
  nextSteps: NextStep[];
  findings: Finding[];
  /** Each OOM-killer report judged: where the memory went, what was killed. */
  oom?: OomVerdict[];
  /** Each oops judged: faulting instruction, bad pointer, what the address means. */
  faults?: FaultVerdict[];
  /** Each KASAN report judged: the access, the object, who allocated and freed it. */
  kasan?: KasanVerdict[];
  /** Each WARN_ON report judged: the site, what it means, panic_on_warn. */
  warnings?: WarningVerdict[];
  /** What every CPU the input shows was doing. */
  cpuActivity?: CpuActivity[];
}

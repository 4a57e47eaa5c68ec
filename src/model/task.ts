/** Tasks and CPUs (crash's `ps`, `bt -a` headers, `runq`; a dump's task list and per-cpu data). */

import type { Evidence } from './evidence.js';
import type { RegisterSet } from './registers.js';

export interface Task {
  pid: number;
  tgid?: number;
  ppid?: number;
  comm?: string;
  /**
   * State as crash's `ps` prints it: RU, IN, UN, ST, TR, ZO, DE, SW, ID, NE, PA, WA (and `?`).
   * Sources translate from kernel bits or letters (R S D T t Z X I) with kernel/flags.
   */
  state?: string;
  /** Raw `__state`/`state` word when read from memory or `struct task_struct`. */
  stateBits?: number;
  /** The kernel's own letter (R S D T t X Z P I), as /proc, `ps` and drgn print it. */
  stateLetter?: string;
  /** exit_state (EXIT_ZOMBIE, EXIT_DEAD) when read from memory. */
  exitState?: number;
  cpu?: number;
  /** task_struct address. */
  task?: bigint;
  /** thread_info address (crash's [THREAD_INFO: …]) for kernels where it is separate. */
  threadInfo?: bigint;
  /** thread_info.flags (TIF_*). */
  threadFlags?: bigint;
  /** task_struct.flags (PF_*). */
  flags?: bigint;
  /** Running on its CPU at the time of the crash (crash's `>` in `ps`). */
  active?: boolean;
  /** The task that panicked. */
  panicking?: boolean;
  onCpu?: boolean;
  /** Kernel stack base (task_struct.stack). */
  stackBase?: bigint;
  /** Saved kernel stack pointer of a sleeping task (thread.sp). */
  savedSp?: bigint;
  /** Index into Crash.stacks. */
  stack?: number;
  /** Nanoseconds since last scheduled, when known (runq / last_arrival). */
  lastRunNs?: number;
  memPercent?: number;
  vszKb?: number;
  rssKb?: number;
  kernelThread?: boolean;
  evidence?: Evidence[];
}

export interface Cpu {
  id: number;
  /** pid of the task running on it (crash `bt -a` header / per-cpu current). */
  pid?: number;
  task?: bigint;
  comm?: string;
  idle?: boolean;
  /** Registers saved when the CPU was stopped (NT_PRSTATUS) or of its exception frame. */
  regs?: RegisterSet;
  /** Index into Crash.stacks. */
  stack?: number;
  /** Offline in the dump / not responding to the stop NMI. */
  offline?: boolean;
  evidence?: Evidence[];
}

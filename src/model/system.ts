/** System-wide facts, the equivalent of crash's `sys`. Every field is optional: inputs are partial. */

import type { Evidence } from './evidence.js';

export interface SystemFacts {
  release?: string;
  /** `#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)` — uname -v. */
  version?: string;
  machine?: string;
  nodename?: string;
  /** `Hardware name:` line of an oops, or DMI string. */
  hardware?: string;
  cpus?: number;
  memoryBytes?: number;
  uptimeSeconds?: number;
  /** Dump time as ISO-8601 (UTC) when known. */
  dumpDate?: string;
  /** crash prints DATE in the dump's own words; kept verbatim for display. */
  dumpDateText?: string;
  loadAverage?: string;
  tasks?: number;
  /** The panic string, e.g. `Kernel panic - not syncing: Watchdog detected hard LOCKUP on cpu 10`. */
  panic?: string;
  panicCpu?: number;
  panicPid?: number;
  panicComm?: string;
  /** Taint flags as printed (`G        W  OE`, `Tainted: P`), and decoded letters. */
  taint?: string;
  /** crash's `[TAINTED]` mark on the KERNEL line: tainted, letters unknown. */
  tainted?: boolean;
  /** Kernel command line, when the log has it. */
  commandLine?: string;
  kernelFile?: string;
  dumpFile?: string;
  /** `[PARTIAL DUMP]` or makedumpfile's dump level. */
  dumpLevel?: number;
  partialDump?: boolean;
  cpuMhz?: number;
  /** crash `kmem -i` rows keyed by their label (`TOTAL MEM`, `FREE`, `SLAB`, `COMMITTED` …). */
  memoryUsage?: Record<string, MemoryUsageRow>;
  evidence?: Evidence[];
}

export interface MemoryUsageRow {
  pages?: number;
  /** Size as printed (`325.9 MB`), converted to bytes (approximate: crash rounds). */
  bytes?: number;
  /** Percentage as printed (`86% of TOTAL MEM` → 86). */
  percent?: number;
  evidence?: Evidence;
}

/** A loaded kernel module (crash `mod`, an oops' "Modules linked in:"). */
export interface ModuleInfo {
  name: string;
  /** Address of `struct module`. */
  module?: bigint;
  base?: bigint;
  size?: number;
  /** Object file crash loaded symbols from, or `(not loaded)`. */
  objectFile?: string;
  evidence?: Evidence;
}

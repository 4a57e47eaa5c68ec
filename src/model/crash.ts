/**
 * The normalised crash. Sources (text/console, text/crash, dump) build it; analyzers only read it.
 * Everything is optional because inputs are partial: a console log has no memory, a transcript may
 * hold only `sys` and `bt`, a filtered dump lacks user pages.
 */

import type { Evidence } from './evidence.js';
import type { LogRecord } from './log.js';
import type {
  AddressList,
  CodeView,
  MemoryView,
  PageInfo,
  ShellCount,
  StructDump,
  SymbolView,
} from './memory.js';
import type { Report } from './report.js';
import type { Stack } from './stack.js';
import type { ModuleInfo, SystemFacts } from './system.js';
import type { Cpu, Task } from './task.js';

export type InputFormat =
  | 'console-log'
  | 'crash-transcript'
  | 'vmcore-elf'
  | 'vmcore-kdump'
  | 'vmcore-flattened'
  | 'unknown';

export interface InputInfo {
  path: string;
  format: InputFormat;
  bytes?: number;
}

/** Facts about the dump container itself, when the input is a vmcore. */
export interface DumpInfo {
  container: 'elf' | 'kdump' | 'flattened';
  headerVersion?: number;
  compression?: string[];
  dumpLevel?: number;
  pageSize?: number;
  incomplete?: boolean;
  /** VMCOREINFO text, verbatim. */
  vmcoreinfo?: string;
  /** Notes from the dump layer (excluded pages, lost pages, missing pieces). */
  notes?: string[];
}

export interface Crash {
  input: InputInfo;
  system: SystemFacts;
  log: LogRecord[];
  /** Reports in log order; the classifier picks the headline among them. */
  reports: Report[];
  cpus: Cpu[];
  tasks: Task[];
  /** All stacks, from any source; tasks/cpus point into this array. */
  stacks: Stack[];
  /** Pages described by the input (kmem, struct page) or decoded from memory. */
  pages: PageInfo[];
  structs: StructDump[];
  shellCounts: ShellCount[];
  memory?: MemoryView;
  code?: CodeView;
  symbols?: SymbolView;
  dump?: DumpInfo;
  /** Kernel configuration facts learnt from the input (`CONFIG_TRANSPARENT_HUGEPAGE=y`). */
  config: Record<string, string>;
  /** Things a source could not read, for the report's "what would sharpen this" part. */
  gaps: { what: string; why: string; evidence?: Evidence }[];
  /** Loaded modules (crash `mod`). */
  modules?: ModuleInfo[];
  /** Address lists (crash `list`). */
  lists?: AddressList[];
  /** For a crash transcript: the commands found in it, in order, and which parser read each. */
  transcript?: TranscriptCommand[];
}

export interface TranscriptCommand {
  /** Command text after the prompt, or the inferred command for output pasted without one. */
  command: string;
  /** How the command was known: a `crash>` prompt, a shell prompt, or the shape of its output. */
  via: 'prompt' | 'shell' | 'shape';
  /** Parser that read it (`bt`, `sys`, …) or `none` when no parser knows the command. */
  parser: string;
  startLine: number;
  endLine: number;
}

export function emptyCrash(input: InputInfo): Crash {
  return {
    input,
    system: {},
    log: [],
    reports: [],
    cpus: [],
    tasks: [],
    stacks: [],
    pages: [],
    structs: [],
    shellCounts: [],
    config: {},
    gaps: [],
  };
}

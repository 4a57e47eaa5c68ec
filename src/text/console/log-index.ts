/**
 * One pass over the records computes everything later stages ask about a record more than once:
 * its printing context, whether it opens a report (and of which group), and a few marker flags.
 * Report regions then walk arrays instead of re-testing text, so the total work stays linear in
 * the log however many reports it holds.
 */

import type { LogRecord } from '../../model/index.js';
import { groupOfScreened, MAX_MATCH_LINE, passesScreen } from './headers.js';
import { CONTINUATION_HEADERS, STACK_PRINTING_NOTICES } from './table.js';
import type { HeaderGroup } from './table-types.js';

export const F_QUESTIONABLE = 1;
export const F_SENDING_NMI = 2;
export const F_PANIC = 4;
export const F_CIRCULAR = 8;
export const F_DISABLING_LOCKDEP = 16;
export const F_NMI_BACKTRACE = 32;
/** Starts a second report inside a report's region (a header that is not a continuation). */
export const F_OPENS_REPORT = 64;
export const F_OOM = 128;
export const F_OOPS = 256;
export const F_LOST_CONSOLE = 512;
/** `task:comm state:D …` — sched_show_task's header (hung tasks, sysrq-w/t, RCU task stalls). */
export const F_TASK_DUMP = 1024;

/** Contexts as numbers: 0 bare text, 1 stamped without caller, 2 + 2·tid task, 3 + 2·cpu CPU. */
export const CTX_BARE = 0;
export const CTX_CONSOLE = 1;
export const isCpuCtx = (ctx: number): boolean => ctx >= 3 && (ctx & 1) === 1;
export const isCallerCtx = (ctx: number): boolean => ctx >= 2;

export function contextCode(record: LogRecord): number {
  const c = record.caller;
  if (c) return c.kind === 'task' ? 2 + 2 * c.id : 3 + 2 * c.id;
  return record.time !== undefined || record.wallTime !== undefined ? CTX_CONSOLE : CTX_BARE;
}

/** Literals screened in one regex test per line; the precise checks run only on a hit. */
const MARKERS =
  /NMI|Disabling lock debugging|invoked oom-killer|serialport: VM disconnected\.|FAULT_|vmalloc: allocation failure:|Oops: /;

/** A `? foo+0x…` frame: the unwinder's guess, not part of the trace (x86 `?`, powerpc suffix). */
export function questionableFrame(text: string): boolean {
  return (text.includes(' ? ') || text.endsWith(' (unreliable)')) && !text.includes('<EOI>');
}

export class LogIndex {
  readonly ctx: Int32Array;
  readonly flags: Uint16Array;
  /** Header group of each record that opens a report. */
  readonly groups = new Map<number, HeaderGroup>();
  readonly headers: number[] = [];
  readonly nmiBacktraces: number[] = [];
  readonly oomKills: number[] = [];
  readonly taskDumps: number[] = [];
  lostConsole = false;

  /** `system`, when given, sees every record with its flags (one pass for everything). */
  constructor(
    readonly records: LogRecord[],
    system?: { add(record: LogRecord, flags: number): void },
  ) {
    const n = records.length;
    this.ctx = new Int32Array(n);
    this.flags = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const record = records[i]!;
      this.add(record, i);
      system?.add(record, this.flags[i]!);
    }
  }

  private add(record: LogRecord, i: number): void {
    this.ctx[i] = contextCode(record);
    const marks = recordMarks(record);
    this.flags[i] = marks.flags;
    if (marks.group) {
      this.groups.set(i, marks.group);
      this.headers.push(i);
    }
    if (marks.flags & F_NMI_BACKTRACE) this.nmiBacktraces.push(i);
    if (marks.flags & F_OOM) this.oomKills.push(i);
    if (marks.flags & F_TASK_DUMP) this.taskDumps.push(i);
    if (marks.flags & F_LOST_CONSOLE) this.lostConsole = true;
  }
}

export interface RecordMarks {
  flags: number;
  /** The report group the record's line opens, if it opens one. */
  group?: HeaderGroup;
}

const NO_MARKS: RecordMarks = { flags: 0 };
const QUESTIONABLE_ONLY: RecordMarks = { flags: F_QUESTIONABLE };

/** What one record is, as far as report finding cares: the flags above and its header group. */
export function recordMarks(record: LogRecord): RecordMarks {
  const raw = record.text;
  const text = raw.length > MAX_MATCH_LINE ? raw.slice(0, MAX_MATCH_LINE) : raw;
  let flags = 0;
  if (contextCode(record) !== CTX_BARE && questionableFrame(text)) flags |= F_QUESTIONABLE;
  if (text.charCodeAt(0) === 116 /* t */ && text.startsWith('task:')) return { flags: flags | F_TASK_DUMP };
  if (!passesScreen(text)) return flags === 0 ? NO_MARKS : QUESTIONABLE_ONLY;
  let group: HeaderGroup | undefined;
  if (record.source === undefined) {
    group = groupOfScreened(text);
    if (group) {
      if (!CONTINUATION_HEADERS.some((re) => re.test(text))) flags |= F_OPENS_REPORT;
      if (text.includes('Kernel panic - not syncing')) flags |= F_PANIC;
      if (text.includes('WARNING: possible circular locking dependency detected')) flags |= F_CIRCULAR;
    }
  }
  if (MARKERS.test(text)) {
    if (text.includes('Sending NMI from CPU')) flags |= F_SENDING_NMI;
    if (text.includes('NMI backtrace for cpu')) flags |= F_NMI_BACKTRACE;
    if (text.includes('Disabling lock debugging due to kernel taint')) flags |= F_DISABLING_LOCKDEP;
    if (text.includes(' invoked oom-killer: ')) flags |= F_OOM;
    if (text.includes('serialport: VM disconnected.')) flags |= F_LOST_CONSOLE;
    if (text.includes('Oops: ') && text.includes('[#')) flags |= F_OOPS;
    if (STACK_PRINTING_NOTICES.some((s) => text.includes(s))) flags |= F_OPENS_REPORT;
  }
  return group ? { flags, group } : { flags };
}

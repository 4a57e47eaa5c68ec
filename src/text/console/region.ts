/**
 * The region of a report: which records after its first line belong to it. Interleaved output is
 * the rule, not the exception, so a record belongs to the report when it was printed from the same
 * context (same caller id; or, without caller ids, any stamped line), except that once a CPU
 * backtrace round starts ("Sending NMI from CPU") the other CPUs' records belong to it too.
 * A panic or a lockdep splat that follows a long enough report is its aftermath and is left out.
 */

import type { LogRecord } from '../../model/index.js';
import { contextOf, isCpuContext, opensAnotherReport } from './headers.js';

/** Most records scanned after a report's first line: reports are hundreds of lines, not millions. */
export const MAX_REGION_RECORDS = 5000;

export interface Region {
  /** Index of the report's first record. */
  start: number;
  context: string;
  /** Texts of the records that belong to the report, `?`-frames and foreign contexts removed. */
  lines: string[];
  /** Record index of each line. */
  recordIndex: number[];
  /** Lines before a second report starts: what the title is read from. */
  titleLines: number;
  /** Index one past the last record scanned. */
  scanEnd: number;
}

/** A `? foo+0x…` frame: the unwinder's guess, not part of the trace (x86 `?`, powerpc suffix). */
export function questionableFrame(text: string): boolean {
  if (text.includes('<EOI>')) return false;
  return text.includes(' ? ') || text.endsWith(' (unreliable)');
}

export function buildRegion(records: LogRecord[], start: number, maxRecords = MAX_REGION_RECORDS): Region {
  const first = records[start]!;
  const context = contextOf(first);
  const minLinesBeforeAftermath = first.text.includes('BUG: KMSAN:') ? 16 : 22;
  const lines: string[] = [];
  const recordIndex: number[] = [];
  let titleLines = 0;
  let secondReport = false;
  let textLines = 0;
  let skipRest = false;
  let cpuBacktrace = false;
  const end = Math.min(records.length, start + maxRecords);
  for (let i = start; i < end; i++) {
    const record = records[i]!;
    const text = record.text;
    const isFirst = i === start;
    const ctx = isFirst ? context : contextOf(record);
    if (!isFirst && !secondReport && opensAnotherReport(text)) secondReport = true;
    const questionable = ctx !== '' && questionableFrame(text);
    if (!isFirst && (questionable || (ctx !== context && (!cpuBacktrace || !isCpuContext(ctx))))) continue;
    textLines++;
    let skip = skipRest;
    if (text.includes('Disabling lock debugging due to kernel taint')) {
      skip = true;
    } else if (text.includes('Sending NMI from CPU')) {
      cpuBacktrace = true;
    } else if (
      textLines > minLinesBeforeAftermath &&
      (text.includes('Kernel panic - not syncing') ||
        text.includes('WARNING: possible circular locking dependency detected'))
    ) {
      skipRest = true;
      skip = true;
    }
    if (!isFirst && skip) continue;
    lines.push(text);
    recordIndex.push(i);
    if (!secondReport || (context !== '' && context !== 'console')) titleLines = lines.length;
  }
  return { start, context, lines, recordIndex, titleLines, scanEnd: end };
}

/**
 * The region of a report: which records after its first line belong to it. Interleaved output is
 * the rule, not the exception, so a record belongs to the report when it was printed from the same
 * context (same caller id; or, without caller ids, any stamped line), except that once a CPU
 * backtrace round starts ("Sending NMI from CPU") the other CPUs' records belong to it too.
 * A panic or a lockdep splat that follows a long enough report is its aftermath and is left out.
 */

import {
  F_CIRCULAR,
  F_DISABLING_LOCKDEP,
  F_OPENS_REPORT,
  F_PANIC,
  F_QUESTIONABLE,
  F_SENDING_NMI,
  isCallerCtx,
  type LogIndex,
} from './log-index.js';

// Local copies: the region loop is hot, and imported bindings may be getters under some loaders.
const OPENS_REPORT = F_OPENS_REPORT;
const QUESTIONABLE = F_QUESTIONABLE;
const DISABLING_LOCKDEP = F_DISABLING_LOCKDEP;
const SENDING_NMI = F_SENDING_NMI;
const AFTERMATH = F_PANIC | F_CIRCULAR;

/** Most records scanned after a report's first line: reports are hundreds of lines, not millions. */
export const MAX_REGION_RECORDS = 5000;

export interface Region {
  /** Index of the report's first record. */
  start: number;
  /** Texts of the records that belong to the report, `?`-frames and foreign contexts removed. */
  lines: string[];
  /** Record index of each line. */
  recordIndex: number[];
  /** Lines before a second report starts: what the title is read from. */
  titleLines: number;
}

/**
 * `keepQuestionable`: keep the `?` frames, which titles skip (syzkaller's rule) but the model's
 * stacks keep as unreliable frames: on 3.x kernels the NMI-interrupted function is printed only so.
 */
export function buildRegion(
  index: LogIndex,
  start: number,
  maxRecords = MAX_REGION_RECORDS,
  keepQuestionable = false,
): Region {
  const { records, ctx, flags } = index;
  const first = records[start]!;
  const context = ctx[start]!;
  const keepAfterSecondReport = isCallerCtx(context);
  const minLinesBeforeAftermath = first.text.includes('BUG: KMSAN:') ? 16 : 22;
  const lines: string[] = [first.text];
  const recordIndex: number[] = [start];
  let titleLines = 1;
  let secondReport = false;
  let textLines = 1;
  let skipRest = false;
  let cpuBacktrace = false;
  const end = Math.min(records.length, start + maxRecords);
  for (let i = start + 1; i < end; i++) {
    const f = flags[i]!;
    if (f & OPENS_REPORT) secondReport = true;
    const c = ctx[i]!;
    if (
      (f & QUESTIONABLE && !keepQuestionable) ||
      (c !== context && (!cpuBacktrace || !(c >= 3 && (c & 1) === 1)))
    )
      continue;
    textLines++;
    let skip = skipRest;
    if (f & DISABLING_LOCKDEP) {
      skip = true;
    } else if (f & SENDING_NMI) {
      cpuBacktrace = true;
    } else if (f & AFTERMATH && textLines > minLinesBeforeAftermath) {
      skipRest = true;
      skip = true;
    }
    if (skip) continue;
    lines.push(records[i]!.text);
    recordIndex.push(i);
    if (!secondReport || keepAfterSecondReport) titleLines = lines.length;
  }
  return { start, lines, recordIndex, titleLines };
}

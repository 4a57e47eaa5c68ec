/**
 * Records → reports (layer 2). Usable on any record list: a console capture's, or the printk
 * buffer a dump reader extracted (no line numbers there; `seq` orders them).
 *
 * Every line that carries a report header opens a report (as syzkaller's ParseAll does: the panic
 * after a WARNING is a report of its own; the classifier picks the headline). Work per report is
 * bounded, and after many reports the rest are only counted, so a log of a million WARNINGs costs
 * time linear in its size.
 */

import type { LogRecord, Report } from '../../model/index.js';
import { traceDamage } from './damage.js';
import { describeReport } from './describe.js';
import type { LogIndex } from './log-index.js';
import { matchGroup } from './match.js';
import { buildRegion } from './region.js';

/** Reports analysed in full; further ones are counted only. */
export const MAX_REPORTS = 200;
/** After this many reports, regions are scanned over fewer records. */
const FULL_REGION_REPORTS = 20;
const SHORT_REGION_RECORDS = 400;

export interface FoundReports {
  reports: Report[];
  /** Report headers seen beyond MAX_REPORTS. */
  uncounted: number;
}

const lineOf = (record: LogRecord | undefined, index: number): number =>
  record?.line ?? record?.seq ?? index + 1;

export function findReports(index: LogIndex): FoundReports {
  const reports: Report[] = [];
  const records = index.records;
  for (const i of index.headers) {
    if (reports.length >= MAX_REPORTS) break;
    const record = records[i]!;
    const group = index.groups.get(i)!;
    const limit = reports.length < FULL_REGION_REPORTS ? undefined : SHORT_REGION_RECORDS;
    const region = buildRegion(index, i, limit);
    const titleLines = region.lines.slice(0, region.titleLines > 0 ? region.titleLines : region.lines.length);
    const { row, match } = matchGroup(group, titleLines);
    if (row && !row.noStackTrace) {
      const damage = traceDamage(region.lines);
      if (damage) match.textDamage = damage;
    }
    if (index.lostConsole && !match.textDamage) match.textDamage = 'console connection lost';
    const report: Report = {
      header: record.text,
      startLine: lineOf(record, i),
      endLine: lineOf(records[region.recordIndex[region.recordIndex.length - 1] ?? i], i),
      lines: region.lines.length > 2000 ? region.lines.slice(0, 2000) : region.lines,
      match,
    };
    // The model's stack keeps the `?` frames the title skipped (as unreliable frames).
    describeReport(report, buildRegion(index, i, limit, true), records, limit === undefined ? 1500 : 300);
    reports.push(report);
  }
  return { reports, uncounted: Math.max(0, index.headers.length - MAX_REPORTS) };
}

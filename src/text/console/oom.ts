/**
 * OOM-killer invocations: worth listing (who asked for memory, which task was killed), not a crash
 * by themselves. They become informational reports; the panic_on_oom panic, if any, is the crash.
 */

import type { Report } from '../../model/index.js';
import { describeReport } from './describe.js';
import { clip } from './headers.js';
import type { LogIndex } from './log-index.js';
import { readOomFacts } from './oom-facts.js';
import { buildRegion } from './region.js';

const INVOKED = / invoked oom-killer: /;
const MAX_OOM_REPORTS = 50;
const OOM_REGION_RECORDS = 300;

export function oomReports(index: LogIndex): Report[] {
  const out: Report[] = [];
  const records = index.records;
  for (const i of index.oomKills) {
    if (out.length >= MAX_OOM_REPORTS) break;
    const record = records[i]!;
    if (!INVOKED.test(record.text)) continue;
    const region = buildRegion(index, i, OOM_REGION_RECORDS);
    const comm = clip(record.text.slice(0, record.text.indexOf(' invoked oom-killer')).trim());
    const oom = readOomFacts(records, i);
    const killed = oom?.killed;
    const report: Report = {
      header: record.text,
      startLine: record.line ?? record.seq ?? i + 1,
      endLine: records[region.recordIndex[region.recordIndex.length - 1] ?? i]?.line ?? i + 1,
      lines: region.lines.slice(0, 400),
      informational: true,
      comm,
      ...(oom ? { oom } : {}),
      match: {
        rule: 'oom-kill',
        template: killed ? 'oom-kill: {1} killed {2}' : 'oom-kill: {1}',
        altTemplates: [],
        args: killed ? [comm, killed.comm] : [comm],
        frameSlots: [],
        frameRule: 'first',
        skip: [],
        kindHint: 'oom',
        noStackTrace: true,
      },
    };
    describeReport(report, region, records);
    out.push(report);
  }
  return out;
}

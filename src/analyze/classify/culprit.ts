/** The culprit function of a report, and the panic facts (CPU, task, RIP) of the crash. */

import type { Crash, Report } from '../../model/index.js';
import type { Classification } from '../results.js';
import type { ReportTitle } from './index.js';

export function culpritOf(_crash: Crash, report: Report, t: ReportTitle): Classification['culprit'] {
  if (!t.frame) return undefined;
  return {
    function: t.frame,
    why: `${t.frame} is the frame the report names`,
    evidence: [{ source: 'log', line: report.startLine, text: report.header.trim() }],
  };
}

export function panicFacts(crash: Crash, report: Report): Classification['panic'] {
  const out: NonNullable<Classification['panic']> = {};
  if (report.cpu !== undefined) out.cpu = report.cpu;
  if (report.pid !== undefined) out.pid = report.pid;
  if (report.comm !== undefined) out.comm = report.comm;
  if (report.ripFunction !== undefined) out.rip = report.ripFunction;
  if (crash.system.panic) out.text = crash.system.panic;
  return Object.keys(out).length > 0 ? out : undefined;
}

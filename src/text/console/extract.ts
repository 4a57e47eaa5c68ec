/** Records → reports, stacks, CPUs, tasks and system facts (the reusable second layer). */

import type { Cpu, Crash, LogRecord, Report, Stack, SystemFacts, Task } from '../../model/index.js';
import { findReports } from './reports.js';

export interface ExtractedLog {
  reports: Report[];
  stacks: Stack[];
  cpus: Cpu[];
  tasks: Task[];
  system: SystemFacts;
  gaps: Crash['gaps'];
}

const LOST_CONSOLE = 'serialport: VM disconnected.';

export function extractReports(records: LogRecord[]): ExtractedLog {
  const lostConsole = records.some((r) => r.text.includes(LOST_CONSOLE));
  const found = findReports(records, { lostConsole });
  const gaps: Crash['gaps'] = [];
  if (found.uncounted > 0)
    gaps.push({
      what: `${found.uncounted} further reports`,
      why: 'only the first reports of a log are analysed',
    });
  return { reports: found.reports, stacks: [], cpus: [], tasks: [], system: {}, gaps };
}

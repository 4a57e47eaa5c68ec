/**
 * Console logs (dmesg, serial captures, journals, vmcore-dmesg, crash's `log`) → the model.
 *
 * Two layers, so that a dump reader can reuse the second on records from a printk buffer:
 * `parseLogText` (text → records) and `extractReports` (records → reports, stacks, CPUs, system
 * facts). `parseConsoleLog` composes them.
 */

import { type Crash, emptyCrash, type InputInfo, type LogRecord } from '../../model/index.js';
import { extractReports } from './extract.js';
import { parseLogText } from './records.js';

export { type ExtractedLog, extractReports } from './extract.js';
export { parseLinePrefix } from './prefix.js';
export { forEachLine, LogLineSplitter, parseLogText, recordFromLine } from './records.js';
export {
  ConsoleLogReader,
  DEFAULT_STREAM_LIMITS,
  readConsoleLogStream,
  type StreamLimits,
} from './stream.js';

export function parseConsoleLog(text: string, input: InputInfo): Crash {
  return crashFromRecords(parseLogText(text), input);
}

export function crashFromRecords(records: LogRecord[], input: InputInfo): Crash {
  const crash = emptyCrash(input);
  const extracted = extractReports(records);
  crash.log = records;
  crash.reports = extracted.reports;
  crash.stacks = extracted.stacks;
  crash.cpus = extracted.cpus;
  crash.tasks = extracted.tasks;
  crash.system = extracted.system;
  crash.gaps.push(...extracted.gaps);
  return crash;
}

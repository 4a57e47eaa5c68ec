/**
 * Console logs (dmesg, serial captures, journals, vmcore-dmesg, crash's `log`) → the model.
 *
 * Two layers, so that a dump reader can reuse the second on records from a printk buffer:
 * `parseLogText` (text → records) and `extractReports` (records → reports, stacks, CPUs, system
 * facts). `parseConsoleLog` composes them.
 */

import type { Crash, InputInfo } from '../../model/index.js';
import { crashFromRecords } from './assemble.js';
import { parseLogText } from './records.js';

export { crashFromRecords } from './assemble.js';
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

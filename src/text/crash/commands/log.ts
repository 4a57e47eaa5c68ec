/**
 * `log` (and `dmesg`): the kernel log as crash prints it. Records are kept minimal here — time,
 * level, text, line — until the console-log parser (src/text/console) reads them fully.
 */

import type { LogRecord } from '../../../model/index.js';
import type { Block } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import { hasCjk } from '../lines.js';
import type { CommandParser } from '../parser.js';
import { LOG_LINE, LOG_WALL_LINE } from '../shapes.js';

export const logParser: CommandParser = {
  name: 'log',
  forCommand: (words) => ['log', 'dmesg'].includes((words[0] ?? '').toLowerCase()),
  startsOutput: (lines, i) => LOG_LINE.test(lines[i]!.text) || LOG_WALL_LINE.test(lines[i]!.text),
  continues: (line, block) =>
    LOG_LINE.test(line.text) ||
    LOG_WALL_LINE.test(line.text) ||
    // crash indents the further lines of a multi-line message under its text
    (/^\s{8,}\S/.test(line.text) && !hasCjk(line.text)) ||
    (block.via === 'prompt' && !hasCjk(line.text)),
  parse: (block, out) => parseLog(block, out),
};

function parseLog(block: Block, out: TranscriptBuilder): void {
  for (const line of block.lines) {
    const record = logRecord(line.raw.replace(/\r$/, ''), line.n);
    if (record) out.crash.log.push(record);
  }
}

export function logRecord(text: string, n: number): LogRecord | undefined {
  let m = LOG_LINE.exec(text);
  if (m) {
    const record: LogRecord = { text: m[3]!, time: Number(m[2]), line: n };
    if (m[1] !== undefined) record.level = Number(m[1]);
    return record;
  }
  m = LOG_WALL_LINE.exec(text);
  if (m) {
    const record: LogRecord = { text: m[3]!, wallTime: m[2]!, line: n };
    if (m[1] !== undefined) record.level = Number(m[1]);
    return record;
  }
  if (text.trim() === '') return undefined;
  return { text: text.trimEnd(), line: n };
}

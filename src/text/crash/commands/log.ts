/**
 * `log` (and `dmesg`): the kernel log as crash prints it. Each line becomes a record through the
 * console-log source (src/text/console), keeping its transcript line number; the reports in it
 * (oops, lockups, stalls, panics) are extracted once all blocks are read (see `applyLog`).
 */

import { extractReports, recordFromLine } from '../../console/index.js';
import type { Block } from '../block.js';
import { fillMissing, type TranscriptBuilder } from '../builder.js';
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
  parse: (block, out) => {
    for (const line of block.lines)
      if (line.plain.trim() !== '') out.crash.log.push(recordFromLine(line.plain, line.n));
  },
};

/**
 * The reports of the log (what the console source finds in it) join the model, and so do its
 * stacks (NMI backtraces, hung tasks' traces), as the dump loader does: a CPU or task may then
 * have both its `bt` stack and the log's earlier copy, which the analyzers tell apart by origin
 * (`crash-bt` vs `nmi-backtrace`, …). System facts the log states and `sys` did not (taint
 * letters, hardware) fill the gaps.
 */
export function applyLog(out: TranscriptBuilder, _blocks: readonly Block[]): void {
  const crash = out.crash;
  if (crash.log.length === 0) return;
  const extracted = extractReports(crash.log);
  crash.reports.push(...extracted.reports);
  fillMissing(crash.system, { ...extracted.system, evidence: undefined });
  for (const gap of extracted.gaps) out.gap(gap.what, gap.why, gap.evidence);
  crash.stacks.push(...extracted.stacks);
  for (const { evidence, ...task } of extracted.tasks) out.task(task, evidence?.[0]);
}

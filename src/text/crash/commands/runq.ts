/**
 * `runq`: `CPU 3 RUNQUEUE: ffff…`, `  CURRENT: PID: 0  TASK: ffff…  COMMAND: "swapper/3"` and the
 * queued tasks (`[120] PID: …`) → the CPUs' current tasks and the tasks' CPUs.
 */

import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import type { CommandParser } from '../parser.js';
import { RUNQ_CPU, RUNQ_OTHER, RUNQ_TASK } from '../shapes.js';

export const runqParser: CommandParser = {
  name: 'runq',
  forCommand: (words) => (words[0] ?? '').toLowerCase() === 'runq',
  startsOutput: (lines, i) => RUNQ_CPU.test(lines[i]!.text),
  continues: (line) => RUNQ_CPU.test(line.text) || RUNQ_TASK.test(line.text) || RUNQ_OTHER.test(line.text),
  parse: (block, out) => parseRunq(block, out),
};

function parseRunq(block: Block, out: TranscriptBuilder): void {
  let cpu: number | undefined;
  for (const line of block.lines) {
    const c = RUNQ_CPU.exec(line.text);
    if (c) {
      cpu = Number(c[1]);
      continue;
    }
    const t = RUNQ_TASK.exec(line.text);
    if (!t || cpu === undefined) continue;
    const ev = evidenceFor(block, line, undefined, { cpu });
    const pid = Number(t[3]);
    const task = BigInt(`0x${t[4]}`);
    const comm = t[5]!;
    const current = t[1] === 'CURRENT:';
    out.task({ pid, task, comm, cpu }, ev);
    if (current) out.activeTask({ cpu, pid, task, comm, evidence: ev });
  }
}

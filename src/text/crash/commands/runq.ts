/**
 * `runq`: `CPU 3 RUNQUEUE: ffff…`, `  CURRENT: PID: 0  TASK: ffff…  COMMAND: "swapper/3"` and the
 * queued tasks (`[120] PID: …`) → the CPUs' current tasks and the tasks' CPUs. `runq -t`:
 * ` CPU 1: 20050796344` (the runqueue clock) and the active task's last arrival, whose difference
 * is how long it has been running.
 */

import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import type { CommandParser } from '../parser.js';
import { RUNQ_CLOCK, RUNQ_CPU, RUNQ_OTHER, RUNQ_STAMPED_TASK, RUNQ_TASK } from '../shapes.js';

export const runqParser: CommandParser = {
  name: 'runq',
  forCommand: (words) => (words[0] ?? '').toLowerCase() === 'runq',
  startsOutput: (lines, i) =>
    RUNQ_CPU.test(lines[i]!.text) ||
    (RUNQ_CLOCK.test(lines[i]!.text) && i + 1 < lines.length && RUNQ_STAMPED_TASK.test(lines[i + 1]!.text)),
  continues: (line) =>
    RUNQ_CPU.test(line.text) ||
    RUNQ_TASK.test(line.text) ||
    RUNQ_CLOCK.test(line.text) ||
    RUNQ_STAMPED_TASK.test(line.text) ||
    RUNQ_OTHER.test(line.text),
  parse: (block, out) => parseRunq(block, out),
};

function parseRunq(block: Block, out: TranscriptBuilder): void {
  let cpu: number | undefined;
  let clock: bigint | undefined;
  for (const line of block.lines) {
    const c = RUNQ_CPU.exec(line.text);
    if (c) {
      cpu = Number(c[1]);
      clock = undefined;
      continue;
    }
    const k = RUNQ_CLOCK.exec(line.text);
    if (k) {
      cpu = Number(k[1]);
      clock = BigInt(k[2]!);
      continue;
    }
    if (cpu === undefined) continue;
    const ev = evidenceFor(block, line, undefined, { cpu });
    const stamped = RUNQ_STAMPED_TASK.exec(line.text);
    if (stamped) {
      const arrival = BigInt(stamped[1]!);
      const pid = Number(stamped[2]);
      const task = BigInt(`0x${stamped[3]}`);
      const comm = stamped[4]!;
      const running =
        clock !== undefined && arrival > 0n && clock >= arrival ? Number(clock - arrival) : undefined;
      out.task({ pid, task, comm, cpu, lastRunNs: running }, ev);
      out.activeTask({ cpu, pid, task, comm, evidence: ev });
      continue;
    }
    const t = RUNQ_TASK.exec(line.text);
    if (!t) continue;
    const pid = Number(t[3]);
    const task = BigInt(`0x${t[4]}`);
    const comm = t[5]!;
    out.task({ pid, task, comm, cpu }, ev);
    if (t[1] === 'CURRENT:') out.activeTask({ cpu, pid, task, comm, evidence: ev });
  }
}

/**
 * `ktriage ps` (nothing but the dump: kallsyms + BTF from memory) against the reference tools on the
 * same dump, in one run: crash -s VMLINUX VMCORE + `ps`, and drgn listing every task (pid, comm,
 * state, cpu) with the 633 MB debug vmlinux. Wall time and peak RSS from GNU time, median of --runs
 * (crash: 1 run), ratios against ktriage, and how many tasks each tool listed.
 *
 *   npm run build && npx tsx bench/ps.ts [VMCORE…] [--runs 5] [--vmlinux PATH] [--skip crash,drgn]
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpHeading, dumpsToRun, ensureBuilt, ktriage, parseArgs, wants } from './lib/args.js';
import { columns, figureColumns, printTable, type Row } from './lib/table.js';
import { loadAverage, timed, timedRuns, workDir } from './lib/timed.js';

const args = parseArgs(process.argv.slice(2), { runs: 5 });
const { runs, vmlinux } = args;

/** Rows of a ps listing (crash's or ours): lines starting with a PID column. */
const psRows = (text: string) => text.split('\n').filter((l) => /^[> -]\s+\d+\s/.test(l)).length;

const DRGN_TASKS = `from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.sched import task_state_to_char, task_cpu
for t in for_each_task(prog):
    print(t.pid.value_(), t.comm.string_().decode(), task_state_to_char(t), task_cpu(t))
`;

function bench(vmcore: string): void {
  console.log(`\n${dumpHeading(vmcore)}`);
  const ours = timedRuns(runs, ktriage('ps', vmcore));
  const rows: Row[] = [
    { name: 'ktriage ps', m: ours, note: `${psRows(ours.output)}` },
    { name: 'node -e 0 (floor)', m: timedRuns(runs, [process.execPath, '-e', '0']) },
  ];
  if (wants(args, 'crash')) {
    const crash = timed(['crash', '-s', vmlinux, vmcore], 'ps\nquit\n');
    rows.push({ name: 'crash + ps', m: crash, note: `${psRows(crash.output)}` });
  }
  if (wants(args, 'drgn')) {
    const script = join(workDir(), 'tasks.py');
    writeFileSync(script, DRGN_TASKS);
    const drgn = timedRuns(Math.min(runs, 3), ['drgn', '-q', '-c', vmcore, '-s', vmlinux, script]);
    rows.push({
      name: 'drgn for_each_task',
      m: drgn,
      note: `${drgn.output.split('\n').filter(Boolean).length}`,
    });
  }
  printTable(rows, [
    ...figureColumns(22),
    columns.cpuRatio(14),
    columns.memRatio(14),
    columns.note('tasks', { width: 7, left: false }),
  ]);
  console.log(`load average at the end: ${loadAverage()}`);
}

ensureBuilt();
for (const d of dumpsToRun(args)) bench(d);

/**
 * `ktriage log` against the reference tools on the same dump, in one run:
 *   crash -s VMLINUX VMCORE + `log`   drgn get_dmesg(prog)   makedumpfile --dump-dmesg   ktriage log
 * Wall time and peak RSS from GNU time (`/usr/bin/time -v`), median of --runs (crash: 1 run), and
 * ratios against ktriage; user+sys CPU of ktriage too, since on a shared machine wall time mostly
 * measures the queue. Also checks that ktriage printed crash's lines.
 *
 *   npm run build && npx tsx bench/log.ts [VMCORE…] [--runs 5] [--vmlinux PATH] [--skip crash,drgn]
 *
 * Default dump: ../shared/lab/corpus/mutex-hung/vmcore. Needs crash, drgn, makedumpfile and the
 * debug vmlinux for the reference rows (rows whose tool is missing are skipped).
 */

import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpHeading, dumpsToRun, ensureBuilt, ktriage, parseArgs, wants } from './lib/args.js';
import { columns, figureColumns, printTable, type Row } from './lib/table.js';
import { loadAverage, median, timed, timedRuns, workDir } from './lib/timed.js';

const args = parseArgs(process.argv.slice(2), { runs: 5 });
const { runs, vmlinux } = args;

/** crash's and ktriage's log lines, whitespace-normalised, without crash's prompts and warnings. */
const logLines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l && !/^crash>|^WARNING: /.test(l));

function bench(vmcore: string): void {
  console.log(`\n${dumpHeading(vmcore)}`);
  const ours = timedRuns(runs, ktriage('log', vmcore));
  const rows: Row[] = [
    { name: 'ktriage log', m: ours },
    { name: 'node -e 0 (floor)', m: timedRuns(runs, [process.execPath, '-e', '0']) },
  ];
  let crashLog: string | undefined;
  if (wants(args, 'crash')) {
    const crash = timed(['crash', '-s', vmlinux, vmcore], 'log\nquit\n');
    crashLog = crash.output;
    rows.push({ name: 'crash + log', m: crash });
  }
  if (wants(args, 'drgn')) {
    const script = join(workDir(), 'dmesg.py');
    writeFileSync(
      script,
      'import sys\nfrom drgn.helpers.linux.printk import get_dmesg\nsys.stdout.buffer.write(get_dmesg(prog))\n',
    );
    const drgn = timedRuns(Math.min(runs, 3), ['drgn', '-q', '-c', vmcore, '-s', vmlinux, script]);
    rows.push({ name: 'drgn get_dmesg', m: drgn });
  }
  if (wants(args, 'makedumpfile', false)) {
    const out = join(workDir(), 'dmesg.txt');
    const each = Array.from({ length: runs }, () => {
      rmSync(out, { force: true });
      return timed(['makedumpfile', '--dump-dmesg', vmcore, out]);
    });
    rows.push({ name: 'makedumpfile --dump-dmesg', m: median(each) });
  }
  printTable(rows, [...figureColumns(28), columns.wallRatio(15), columns.memRatio(14)]);
  if (crashLog !== undefined) {
    const theirs = logLines(crashLog);
    const mine = logLines(ours.output);
    const same = theirs.length === mine.length && theirs.every((l, i) => l === mine[i]);
    console.log(
      `same lines as crash's log: ${same ? 'yes' : 'NO'} (${mine.length} ktriage, ${theirs.length} crash)`,
    );
  }
  console.log(`load average at the end: ${loadAverage()}`);
}

ensureBuilt();
for (const d of dumpsToRun(args)) bench(d);

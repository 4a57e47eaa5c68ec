/**
 * A whole vmcore diagnosis, and every task's backtrace, against the reference tools on the same
 * dump in one run:
 *   npm run build && npx tsx bench/analyze.ts [VMCORE…] [--runs 3] [--vmlinux PATH] [--skip crash,drgn]
 * - ktriage: `ktriage analyze VMCORE` (every task listed and unwound, locks read from memory), and
 *            `ktriage bt -a VMCORE` (the stack of each CPU's task); `node -e 0` is the floor
 * - crash:   `crash -s VMLINUX VMCORE` running `foreach bt` and `bt -a` (crash 8.0.2 loads the DWARF
 *            of the 633 MB debug vmlinux first)
 * - drgn:    `drgn -q -c VMCORE -s VMLINUX drgn_tasks.py` (every task's stack, then each CPU's: the
 *            lab's script in ../shared/lab, or the same walk written here when it is absent)
 * Each under /usr/bin/time -v: wall time, CPU time (user + system: the fairer figure on a shared
 * machine) and peak RSS; the tools run in turns, `--runs` times (default 3), and the median is
 * reported with the ratios to ktriage analyze and the targets (analyze ≥ 10× faster than
 * crash, ≥ 2× faster than drgn, ≤ 1/3 of crash's peak memory). `--repeat N`, `--no-crash` and
 * `--no-drgn` are the older spellings. Default dump: ../shared/lab/corpus/mutex-hung/vmcore.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from '../test/helpers/shared.js';
import { dumpHeading, dumpsToRun, ensureBuilt, ktriage, parseArgs, wants } from './lib/args.js';
import { columns, printTable, ratios } from './lib/table.js';
import { loadAverage, type Measure, median, timed, workDir } from './lib/timed.js';

const args = parseArgs(process.argv.slice(2), { runs: 3 });
const { runs, vmlinux } = args;

/** Every task's stack, then each CPU's task: what ../shared/lab/drgn_tasks.py prints, in short. */
const DRGN_TASKS = `from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.cpumask import for_each_possible_cpu
from drgn.helpers.linux.percpu import per_cpu
def show(label, task):
    print(label)
    try:
        print(prog.stack_trace(task))
    except Exception as e:
        print("    <no stack trace: %s>" % e)
for task in for_each_task(prog):
    show("PID %d  COMM %s" % (task.pid.value_(), task.comm.string_().decode(errors="replace")), task)
for cpu in for_each_possible_cpu(prog):
    show("CPU %d" % cpu, per_cpu(prog["runqueues"], cpu).curr)
`;

function drgnScript(): string {
  const shared = sharedPath('lab', 'drgn_tasks.py');
  if (shared) return shared;
  const script = join(workDir(), 'drgn_tasks.py');
  writeFileSync(script, DRGN_TASKS);
  return script;
}

interface Tool {
  name: string;
  command: string[];
  input?: string;
  /** A reference tool: compared with ktriage analyze. */
  reference?: 'crash' | 'drgn';
  /** What its output shows it did. */
  check: (stdout: string) => string;
}

const count = (text: string, line: RegExp) => (text.match(line) ?? []).length;

function toolsFor(vmcore: string): Tool[] {
  const tools: Tool[] = [
    {
      name: 'ktriage analyze (every task unwound)',
      // The terminal report, as a user runs it (`--json` also formats the dump date with Intl: +50 ms).
      command: ktriage('analyze', '--no-color', vmcore),
      check: (out) => out.split('\n')[0]?.replace(/^\W+/, '') ?? '?',
    },
    {
      name: 'ktriage bt -a',
      command: ktriage('bt', '-a', vmcore),
      check: (out) => `${count(out, /^PID: /gm)} stacks`,
    },
    { name: 'node -e 0 (floor)', command: [process.execPath, '-e', '0'], check: () => '' },
  ];
  if (wants(args, 'crash')) {
    tools.push({
      name: 'crash foreach bt; bt -a',
      command: ['crash', '-s', vmlinux, vmcore],
      input: 'foreach bt\nbt -a\nquit\n',
      reference: 'crash',
      check: (out) => `${count(out, /^PID: /gm)} stacks printed`,
    });
  }
  if (wants(args, 'drgn')) {
    tools.push({
      name: 'drgn all-task stacks',
      command: ['drgn', '-q', '-c', vmcore, '-s', vmlinux, drgnScript()],
      reference: 'drgn',
      check: (out) => `${count(out, /^PID \d+/gm)} tasks printed`,
    });
  }
  return tools;
}

/** `met`, `NOT met`, or which of wall and CPU time met it. */
function verdict(wall: boolean, cpu: boolean): string {
  if (wall && cpu) return 'met';
  if (!wall && !cpu) return 'NOT met';
  return wall ? 'met on wall, not on cpu' : 'met on cpu, not on wall';
}

function bench(vmcore: string): void {
  const tools = toolsFor(vmcore);
  const samples = tools.map((): Measure[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, t] of tools.entries()) samples[j]!.push(timed(t.command, t.input));
  }
  const rows = tools.map((t, j) => {
    const m = median(samples[j]!);
    let note: string;
    try {
      note = t.check(m.output);
    } catch (error) {
      note = `output not understood: ${(error as Error).message}`;
    }
    return { name: t.name, m, note: m.failed ? `exit ${m.status}: ${note}` : note, reference: t.reference };
  });

  console.log(`dump: ${dumpHeading(vmcore)}`);
  console.log(`runs: ${runs} per tool, in turns; median shown; load average at the end: ${loadAverage()}`);
  console.log('');
  printTable(rows, [
    columns.name(38),
    columns.wall(9, 2),
    columns.cpu(9),
    columns.rss(14, 0, 'peak RSS MiB'),
    columns.note('what it did', { gap: '   ' }),
  ]);
  const analyze = rows[0]!.m;
  if (rows.some((r) => r.reference)) console.log('');
  for (const row of rows.filter((r) => r.reference)) {
    const r = ratios(analyze, row.m);
    console.log(
      `ktriage vs ${row.name}: ${r.wall.toFixed(1)}x faster (wall), ${r.cpu.toFixed(1)}x (cpu), ` +
        `${r.memFraction.toFixed(2)} of its peak memory`,
    );
  }
  const crash = rows.find((r) => r.reference === 'crash');
  const drgn = rows.find((r) => r.reference === 'drgn');
  const faster = (name: string, times: number, ref: Measure) => {
    const r = ratios(analyze, ref);
    console.log(
      `target: analyze ≥ ${times}× faster than ${name}: ${r.wall.toFixed(1)}× wall, ${r.cpu.toFixed(1)}× cpu — ` +
        verdict(r.wall >= times, r.cpu >= times),
    );
  };
  if (crash) faster('crash', 10, crash.m);
  if (drgn) faster('drgn', 2, drgn.m);
  if (crash) {
    const share = ratios(analyze, crash.m).memFraction;
    console.log(
      `target: analyze ≤ 1/3 of crash's peak memory: ${share.toFixed(2)} — ${share <= 1 / 3 ? 'met' : 'NOT met'}`,
    );
  }
}

ensureBuilt();
const dumps = dumpsToRun(args);
dumps.forEach((d, i) => {
  if (i > 0) console.log('');
  bench(d);
});

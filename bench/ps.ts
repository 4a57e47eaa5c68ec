/**
 * `ktriage ps` (nothing but the dump: kallsyms + BTF from memory) against the reference tools on the
 * same dump, in one run: crash -s VMLINUX VMCORE + `ps`, and drgn listing every task (pid, comm,
 * state, cpu) with the 633 MB debug vmlinux. Wall time and peak RSS from GNU time, median of --runs
 * (crash: 1 run), ratios against ktriage, and how many tasks each tool listed.
 *
 *   npm run build && npx tsx bench/ps.ts [VMCORE…] [--runs 5] [--vmlinux PATH] [--skip crash,drgn]
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args.splice(at, 2)[1]! : fallback;
};
const runs = Number(flag('--runs', '5'));
const vmlinux = flag('--vmlinux', '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64');
const skip = new Set(flag('--skip', '').split(',').filter(Boolean));
const dumps = args.length ? args : [resolve(root, '..', 'shared', 'lab', 'corpus', 'mutex-hung', 'vmcore')];
const work = mkdtempSync(join(tmpdir(), 'ktriage-bench-'));

interface Measure {
  seconds: number;
  /** user + system CPU seconds: the fairer figure on a shared machine. */
  cpu: number;
  rssMiB: number;
  output: string;
}

function timed(command: string[], input?: string): Measure {
  const stats = join(work, 'time');
  const result = spawnSync('/usr/bin/time', ['-v', '-o', stats, ...command], {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
  });
  const text = readFileSync(stats, 'utf8');
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(text);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  if (!wall || !rss) throw new Error(`no timing for ${command.join(' ')}: ${text.slice(0, 300)}`);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  const user = /User time \(seconds\): ([\d.]+)/.exec(text);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(text);
  const cpu = Number(user?.[1] ?? 0) + Number(sys?.[1] ?? 0);
  return { seconds, cpu, rssMiB: Number(rss[1]) / 1024, output: result.stdout?.toString('utf8') ?? '' };
}

function median(ms: Measure[]): Measure {
  const sorted = [...ms].sort((a, b) => a.cpu - b.cpu);
  return { ...sorted[Math.floor(sorted.length / 2)]!, rssMiB: Math.max(...ms.map((m) => m.rssMiB)) };
}

const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const repeat = (n: number, f: () => Measure): Measure => median(Array.from({ length: n }, f));
/** Rows of a ps listing (crash's or ours): lines starting with a PID column. */
const psRows = (text: string) => text.split('\n').filter((l) => /^[> -]\s+\d+\s/.test(l)).length;

const DRGN_TASKS = `from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.sched import task_state_to_char, task_cpu
for t in for_each_task(prog):
    print(t.pid.value_(), t.comm.string_().decode(), task_state_to_char(t), task_cpu(t))
`;

function bench(vmcore: string): void {
  console.log(`\n${vmcore} (${(statSync(vmcore).size / 2 ** 20).toFixed(1)} MiB)`);
  const rows: [string, Measure, number | undefined][] = [];
  const ktriage = repeat(runs, () => timed(['node', join(root, 'bin', 'ktriage.js'), 'ps', vmcore]));
  rows.push(['ktriage ps', ktriage, psRows(ktriage.output)]);
  rows.push(['node -e 0 (floor)', repeat(runs, () => timed(['node', '-e', '0'])), undefined]);
  if (!skip.has('crash') && have('crash') && existsSync(vmlinux)) {
    const crash = timed(['crash', '-s', vmlinux, vmcore], 'ps\nquit\n');
    rows.push(['crash + ps', crash, psRows(crash.output)]);
  }
  if (!skip.has('drgn') && have('drgn') && existsSync(vmlinux)) {
    const script = join(work, 'tasks.py');
    writeFileSync(script, DRGN_TASKS);
    const drgn = repeat(Math.min(runs, 3), () => timed(['drgn', '-q', '-c', vmcore, '-s', vmlinux, script]));
    rows.push(['drgn for_each_task', drgn, drgn.output.split('\n').filter(Boolean).length]);
  }
  console.log(
    `${'tool'.padEnd(22)}${'wall s'.padStart(9)}${'cpu s'.padStart(8)}${'peak MiB'.padStart(10)}` +
      `${'cpu ×ktriage'.padStart(14)}${'mem ×ktriage'.padStart(14)}${'tasks'.padStart(7)}`,
  );
  for (const [name, m, tasks] of rows) {
    console.log(
      `${name.padEnd(22)}${m.seconds.toFixed(3).padStart(9)}${m.cpu.toFixed(2).padStart(8)}${m.rssMiB.toFixed(1).padStart(10)}` +
        `${(m.cpu / ktriage.cpu).toFixed(2).padStart(14)}${(m.rssMiB / ktriage.rssMiB).toFixed(2).padStart(14)}` +
        `${(tasks ?? '').toString().padStart(7)}`,
    );
  }
}

try {
  if (!existsSync(join(root, 'dist', 'ktriage.js')))
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  for (const d of dumps) bench(d);
} finally {
  rmSync(work, { recursive: true, force: true });
}

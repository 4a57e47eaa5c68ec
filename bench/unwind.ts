/**
 * Every task's backtrace, against the reference tools, on the same dump in one run:
 *   crash -s VMLINUX VMCORE + `foreach bt`   drgn: stack_trace() of every task   ktriage analyze / bt -a
 * Wall time and peak RSS from GNU time (`/usr/bin/time -v`), median of --runs (crash: 1 run), and
 * the ratios the issue asks for (analyze ≥ 10× faster than crash, ≥ 2× faster than drgn, ≤ 1/3 of
 * crash's memory). Also how many tasks each printed a stack for.
 *
 *   npm run build && npx tsx bench/unwind.ts [VMCORE…] [--runs 5] [--vmlinux PATH] [--skip crash,drgn]
 *
 * Default dump: ../shared/lab/corpus/mutex-hung/vmcore.
 */

import { spawnSync } from 'node:child_process';
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
const work = mkdtempSync(join(tmpdir(), 'ktriage-bench-unwind-'));

interface Measure {
  seconds: number;
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
  return { seconds, rssMiB: Number(rss[1]) / 1024, output: result.stdout?.toString('utf8') ?? '' };
}

function median(ms: Measure[]): Measure {
  const sorted = [...ms].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor(sorted.length / 2)]!, rssMiB: Math.max(...ms.map((m) => m.rssMiB)) };
}

const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

const DRGN_SCRIPT = `
from drgn.helpers.linux.pid import for_each_task
n = 0
for task in for_each_task(prog):
    try:
        str(prog.stack_trace(task))
        n += 1
    except Exception:
        pass
print("stacks", n)
`;

function bench(vmcore: string): void {
  console.log(`\n${vmcore} (${(statSync(vmcore).size / 2 ** 20).toFixed(1)} MiB)`);
  const rows: [string, Measure, string][] = [];
  const repeat = (f: () => Measure): Measure => median(Array.from({ length: runs }, f));
  const ktriage = (...a: string[]) => ['node', join(root, 'bin', 'ktriage.js'), ...a];

  const analyze = repeat(() => timed(ktriage('analyze', '--json', vmcore)));
  rows.push(['ktriage analyze (all tasks unwound)', analyze, '']);
  const btA = repeat(() => timed(ktriage('bt', '-a', vmcore)));
  rows.push(['ktriage bt -a', btA, `${(btA.output.match(/^PID: /gm) ?? []).length} stacks`]);
  rows.push(['node -e 0 (floor)', repeat(() => timed(['node', '-e', '0'])), '']);
  let crash: Measure | undefined;
  if (!skip.has('crash') && have('crash') && existsSync(vmlinux)) {
    crash = timed(['crash', '-s', vmlinux, vmcore], 'foreach bt\nquit\n');
    rows.push(['crash + foreach bt', crash, `${(crash.output.match(/^PID: /gm) ?? []).length} stacks`]);
  }
  let drgn: Measure | undefined;
  if (!skip.has('drgn') && have('drgn') && existsSync(vmlinux)) {
    const script = join(work, 'stacks.py');
    writeFileSync(script, DRGN_SCRIPT);
    drgn = repeat(() => timed(['drgn', '-q', '-c', vmcore, '-s', vmlinux, script]));
    rows.push(['drgn stack_trace(every task)', drgn, drgn.output.trim()]);
  }
  for (const [label, m, note] of rows) {
    console.log(
      `  ${label.padEnd(38)} ${m.seconds.toFixed(2).padStart(7)} s ${m.rssMiB.toFixed(0).padStart(6)} MiB  ${note}`,
    );
  }
  if (crash) {
    console.log(
      `  analyze vs crash: ${(crash.seconds / analyze.seconds).toFixed(1)}× faster, ${(analyze.rssMiB / crash.rssMiB).toFixed(2)} of its memory (targets ≥ 10×, ≤ 0.33)`,
    );
  }
  if (drgn)
    console.log(`  analyze vs drgn: ${(drgn.seconds / analyze.seconds).toFixed(1)}× faster (target ≥ 2×)`);
}

try {
  for (const d of dumps) bench(d);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * A whole vmcore diagnosis against the reference tools, on the same dump in one run:
 *   npm run build && npx tsx bench/analyze.ts [VMCORE] [--repeat N] [--no-crash] [--no-drgn]
 * - ktriage: `ktriage analyze VMCORE` (every task listed and unwound, locks read from memory)
 * - crash:   `crash -s VMLINUX VMCORE` running `foreach bt` and `bt -a` (crash 8.0.2 loads the DWARF
 *            of the 633 MB debug vmlinux first)
 * - drgn:    `drgn -q -c VMCORE -s VMLINUX drgn_tasks.py` (every task's stack, then each CPU's)
 * Each under /usr/bin/time -v: wall time, CPU time (user + system: the fairer figure on a shared
 * machine) and peak RSS; the tools run in turns, `--repeat` times (default 3), and the median is
 * reported with the ratios to ktriage. Default dump: ../shared/lab/corpus/mutex-hung/vmcore.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, sharedPath } from '../test/helpers/shared.js';

const VMLINUX = '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64';
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const repeat = Number(option('--repeat') ?? 3);
const positional = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--repeat'));
const vmcore = positional[0] ?? sharedPath('lab', 'corpus', 'mutex-hung', 'vmcore');
if (!vmcore || !existsSync(vmcore)) {
  console.error('bench: no vmcore (give a path, or have ../shared/lab)');
  process.exit(3);
}
const cli = join(repoRoot, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error('bench: run `npm run build` first (dist/ is what users run)');
  process.exit(3);
}
const drgnScript = sharedPath('lab', 'drgn_tasks.py');

interface Tool {
  name: string;
  command: string[];
  input?: string;
  /** A line of its output that shows it did the work. */
  check: (stdout: string) => string;
}

const tools: Tool[] = [
  {
    name: 'ktriage analyze',
    // The terminal report, as a user runs it (`--json` also formats the dump date with Intl: +50 ms).
    command: [process.execPath, join(repoRoot, 'bin', 'ktriage.js'), 'analyze', '--no-color', vmcore],
    check: (out) => out.split('\n')[0]?.replace(/^\W+/, '') ?? '?',
  },
];
if (!flag('--no-crash') && existsSync('/usr/bin/crash') && existsSync(VMLINUX)) {
  tools.push({
    name: 'crash foreach bt; bt -a',
    command: ['crash', '-s', VMLINUX, vmcore],
    input: 'foreach bt\nbt -a\nquit\n',
    check: (out) => `${(out.match(/^PID: /gm) ?? []).length} stacks printed`,
  });
}
if (!flag('--no-drgn') && existsSync('/usr/bin/drgn') && existsSync(VMLINUX) && drgnScript) {
  tools.push({
    name: 'drgn all-task stacks',
    command: ['drgn', '-q', '-c', vmcore, '-s', VMLINUX, drgnScript],
    check: (out) => `${(out.match(/^PID \d+/gm) ?? []).length} tasks printed`,
  });
}

interface Sample {
  wall: number;
  cpu: number;
  rssKb: number;
  note: string;
}

function field(text: string, label: string): string | undefined {
  return new RegExp(`${label}: (.*)`).exec(text)?.[1]?.trim();
}

function wallSeconds(text: string): number {
  const parts = (field(text, 'Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)') ?? '0').split(':');
  return parts.reduce((acc, p) => acc * 60 + Number(p), 0);
}

function runOnce(tool: Tool): Sample {
  const r = spawnSync('/usr/bin/time', ['-v', ...tool.command], {
    input: tool.input ?? '',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const stderr = r.stderr ?? '';
  const cpu =
    Number(field(stderr, 'User time \\(seconds\\)')) + Number(field(stderr, 'System time \\(seconds\\)'));
  let note: string;
  try {
    note = tool.check(r.stdout ?? '');
  } catch (error) {
    note = `output not understood: ${(error as Error).message}`;
  }
  return {
    wall: wallSeconds(stderr),
    cpu,
    rssKb: Number(field(stderr, 'Maximum resident set size \\(kbytes\\)')),
    note: r.status === 0 ? note : `exit ${r.status}: ${note}`,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const samples = new Map<string, Sample[]>(tools.map((t) => [t.name, []]));
for (let i = 0; i < repeat; i++) for (const t of tools) samples.get(t.name)!.push(runOnce(t));

const load = existsSync('/proc/loadavg')
  ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  : '?';
console.log(`dump: ${vmcore}`);
console.log(`runs: ${repeat} per tool, in turns; median shown; load average at the end: ${load}`);
console.log('');
console.log(
  `${'tool'.padEnd(26)} ${'wall s'.padStart(8)} ${'cpu s'.padStart(8)} ${'peak RSS MiB'.padStart(13)}   what it did`,
);
const base = samples.get(tools[0]!.name)!;
const k = {
  wall: median(base.map((s) => s.wall)),
  cpu: median(base.map((s) => s.cpu)),
  rss: median(base.map((s) => s.rssKb)),
};
for (const t of tools) {
  const s = samples.get(t.name)!;
  const wall = median(s.map((x) => x.wall));
  const cpu = median(s.map((x) => x.cpu));
  const rss = median(s.map((x) => x.rssKb));
  console.log(
    `${t.name.padEnd(26)} ${wall.toFixed(2).padStart(8)} ${cpu.toFixed(2).padStart(8)} ${(rss / 1024).toFixed(0).padStart(13)}   ${s[0]!.note}`,
  );
}
console.log('');
for (const t of tools.slice(1)) {
  const s = samples.get(t.name)!;
  const wall = median(s.map((x) => x.wall));
  const cpu = median(s.map((x) => x.cpu));
  const rss = median(s.map((x) => x.rssKb));
  console.log(
    `ktriage vs ${t.name}: ${(wall / k.wall).toFixed(1)}x faster (wall), ${(cpu / k.cpu).toFixed(1)}x (cpu), ` +
      `${(k.rss / rss).toFixed(2)} of its peak memory`,
  );
}

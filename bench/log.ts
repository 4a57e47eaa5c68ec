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
  /** User + system CPU seconds. */
  cpu: number;
  rssMiB: number;
  output: string;
  /** The tool exited non-zero (e.g. drgn and makedumpfile do not read flattened dumps). */
  failed?: boolean;
}

/** Runs a command under GNU time; returns wall time, peak RSS and stdout. */
function timed(command: string[], input?: string): Measure {
  const out = join(work, 'stdout');
  const stats = join(work, 'time');
  const result = spawnSync('/usr/bin/time', ['-v', '-o', stats, ...command], {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
  });
  writeFileSync(out, result.stdout ?? '');
  const text = readFileSync(stats, 'utf8');
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(text);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  if (!wall || !rss) throw new Error(`no timing for ${command.join(' ')}: ${text.slice(0, 300)}`);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  const user = Number(/User time \(seconds\): ([\d.]+)/.exec(text)?.[1] ?? 0);
  const system = Number(/System time \(seconds\): ([\d.]+)/.exec(text)?.[1] ?? 0);
  const failed = result.status !== 0 || /Command exited with non-zero status/.test(text);
  return {
    seconds,
    cpu: user + system,
    rssMiB: Number(rss[1]) / 1024,
    output: result.stdout?.toString('utf8') ?? '',
    failed,
  };
}

function median(ms: Measure[]): Measure {
  const sorted = [...ms].sort((a, b) => a.seconds - b.seconds);
  const mid = sorted[Math.floor(sorted.length / 2)]!;
  return { ...mid, rssMiB: Math.max(...ms.map((m) => m.rssMiB)), failed: ms.some((m) => m.failed) };
}

const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

function bench(vmcore: string): void {
  const size = statSync(vmcore).size;
  console.log(`\n${vmcore} (${(size / 2 ** 20).toFixed(1)} MiB)`);
  const rows: [string, Measure][] = [];
  const repeat = (n: number, f: () => Measure): Measure => median(Array.from({ length: n }, f));

  const ktriage = repeat(runs, () => timed(['node', join(root, 'bin', 'ktriage.js'), 'log', vmcore]));
  rows.push(['ktriage log', ktriage]);
  rows.push(['node -e 0 (floor)', repeat(runs, () => timed(['node', '-e', '0']))]);
  let crashLog: string | undefined;
  if (!skip.has('crash') && have('crash') && existsSync(vmlinux)) {
    const crash = timed(['crash', '-s', vmlinux, vmcore], 'log\nquit\n');
    crashLog = crash.output;
    rows.push(['crash + log', crash]);
  }
  if (!skip.has('drgn') && have('drgn') && existsSync(vmlinux)) {
    const script = join(work, 'dmesg.py');
    writeFileSync(
      script,
      'import sys\nfrom drgn.helpers.linux.printk import get_dmesg\nsys.stdout.buffer.write(get_dmesg(prog))\n',
    );
    rows.push([
      'drgn get_dmesg',
      repeat(Math.min(runs, 3), () => timed(['drgn', '-q', '-c', vmcore, '-s', vmlinux, script])),
    ]);
  }
  if (!skip.has('makedumpfile') && have('makedumpfile')) {
    const out = join(work, 'dmesg.txt');
    rows.push([
      'makedumpfile --dump-dmesg',
      repeat(runs, () => {
        rmSync(out, { force: true });
        return timed(['makedumpfile', '--dump-dmesg', vmcore, out]);
      }),
    ]);
  }
  console.log(
    `${'tool'.padEnd(28)}${'wall s'.padStart(9)}${'cpu s'.padStart(8)}${'peak MiB'.padStart(10)}${'time ×ktriage'.padStart(15)}${'mem ×ktriage'.padStart(14)}`,
  );
  for (const [name, m] of rows) {
    const tr = m.seconds / ktriage.seconds;
    const mr = m.rssMiB / ktriage.rssMiB;
    console.log(
      `${name.padEnd(28)}${m.seconds.toFixed(3).padStart(9)}${m.cpu.toFixed(2).padStart(8)}${m.rssMiB.toFixed(1).padStart(10)}${tr.toFixed(2).padStart(15)}${mr.toFixed(2).padStart(14)}`,
    );
  }
  if (crashLog !== undefined) {
    const norm = (s: string) =>
      s
        .split('\n')
        .map((l) => l.replace(/\s+/g, ' ').trim())
        .filter((l) => l && !/^crash>|^WARNING: /.test(l));
    const theirs = norm(crashLog);
    const ours = norm(ktriage.output);
    const same = theirs.length === ours.length && theirs.every((l, i) => l === ours[i]);
    console.log(
      `same lines as crash's log: ${same ? 'yes' : 'NO'} (${ours.length} ktriage, ${theirs.length} crash)`,
    );
  }
}

try {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js')))
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  for (const d of dumps) bench(d);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * Running a command under GNU time (`/usr/bin/time -v`) and summarising repeated runs: what every
 * side-by-side bench measures. Wall time alone mostly measures the queue on a shared machine, so
 * CPU time (user + system) is kept beside it, and peak RSS for the memory figures.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measure {
  /** Wall-clock seconds. */
  seconds: number;
  /** User + system CPU seconds: the fairer figure on a shared machine. */
  cpu: number;
  /** Peak resident set size, MiB. */
  rssMiB: number;
  /** What the command printed on stdout (of the first run, for a median). */
  output: string;
  /** The command exited non-zero (e.g. drgn and makedumpfile do not read flattened dumps). */
  failed: boolean;
  /** Its exit status (of the first failing run, for a median). */
  status: number | null;
}

let work: string | undefined;

/** A scratch directory for one bench process (GNU time's report, scripts, outputs), removed at exit. */
export function workDir(): string {
  if (!work) {
    const dir = mkdtempSync(join(tmpdir(), 'ktriage-bench-'));
    work = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return work;
}

/** GNU time's `label: value` line. */
function field(report: string, label: string): string | undefined {
  return report
    .split('\n')
    .find((l) => l.trim().startsWith(`${label}: `))
    ?.split(': ')[1];
}

/** Runs `command` (stdin: `input`) under GNU time: wall and CPU time, peak RSS, stdout, exit status. */
export function timed(command: string[], input?: string): Measure {
  const report = join(workDir(), 'time');
  rmSync(report, { force: true });
  const result = spawnSync('/usr/bin/time', ['-v', '-o', report, ...command], {
    input: input ?? '',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
  });
  const text = existsSync(report) ? readFileSync(report, 'utf8') : '';
  const wall = field(text, 'Elapsed (wall clock) time (h:mm:ss or m:ss)');
  const rss = field(text, 'Maximum resident set size (kbytes)');
  if (!wall || !rss) throw new Error(`no timing for ${command.join(' ')}: ${text.slice(0, 300)}`);
  const user = Number(field(text, 'User time (seconds)') ?? 0);
  const system = Number(field(text, 'System time (seconds)') ?? 0);
  const status = result.status;
  return {
    seconds: wall.split(':').reduce((acc, part) => acc * 60 + Number(part), 0),
    cpu: user + system,
    rssMiB: Number(rss) / 1024,
    output: result.stdout?.toString('utf8') ?? '',
    failed: status !== 0 || text.includes('Command exited with non-zero status'),
    status,
  };
}

function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The median of each figure over the runs; failed when any run failed. */
export function median(runs: Measure[]): Measure {
  const first = runs.find((m) => m.failed) ?? runs[0]!;
  return {
    seconds: middle(runs.map((m) => m.seconds)),
    cpu: middle(runs.map((m) => m.cpu)),
    rssMiB: middle(runs.map((m) => m.rssMiB)),
    output: runs[0]!.output,
    failed: runs.some((m) => m.failed),
    status: first.status,
  };
}

/** `runs` runs of `command` under GNU time, one after the other; their median. */
export function timedRuns(runs: number, command: string[], input?: string): Measure {
  return median(Array.from({ length: Math.max(1, runs) }, () => timed(command, input)));
}

/** Whether `tool` is on PATH. */
export function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them. */
export function loadAverage(): string {
  return existsSync('/proc/loadavg')
    ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
    : '?';
}

/**
 * In-process timing of `run`: after `warmup` calls (V8 optimises the hot paths first, as in a long
 * batch), the best wall and CPU milliseconds of `runs` calls, and what the last call returned.
 */
export function bestOf<T>(
  runs: number,
  warmup: number,
  run: () => T,
): { wallMs: number; cpuMs: number; result: T } {
  for (let i = 0; i < warmup; i++) run();
  let wallMs = Number.POSITIVE_INFINITY;
  let cpuMs = Number.POSITIVE_INFINITY;
  let result: T | undefined;
  for (let i = 0; i < Math.max(1, runs); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = run();
    wallMs = Math.min(wallMs, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs = Math.min(cpuMs, (c.user + c.system) / 1000);
  }
  return { wallMs, cpuMs, result: result as T };
}

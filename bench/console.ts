/**
 * Console-log throughput: parse + classify over the whole syzkaller corpus, in one run.
 *   npm run build && npx tsx bench/console.ts [--repeat N]
 * Prints MB/s for (a) the corpus concatenated into one log, (b) the 600 logs one by one, after a
 * warm-up (V8 compiles the hot paths first, as in a long `ktriage analyze` batch). Uses the
 * compiled code in dist/ (what the CLI runs) when it is there, else the sources.
 */

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { corpusDir, loadCorpus } from '../eval/corpus.js';
import type * as Classify from '../src/analyze/classify/index.js';
import type * as Engine from '../src/analyze/engine.js';
import type * as Console from '../src/text/console/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(join(root, 'dist', 'text', 'console', 'index.js'));
const load = async <T>(...parts: string[]): Promise<T> => {
  const file = join(root, built ? 'dist' : 'src', ...parts) + (built ? '.js' : '.ts');
  return (await import(pathToFileURL(file).href)) as T;
};
const { AnalysisRun } = await load<typeof Engine>('analyze', 'engine');
const { classify } = await load<typeof Classify>('analyze', 'classify', 'index');
const { parseConsoleLog } = await load<typeof Console>('text', 'console', 'index');

const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 5;
const dir = corpusDir();
if (!dir) {
  console.error('bench: syzkaller corpus not found');
  process.exit(3);
}
const logs = loadCorpus(dir).map((e) => e.log);
const whole = logs.join('\n');
const mb = Buffer.byteLength(whole) / 1e6;

function run(texts: string[]): number {
  let reports = 0;
  for (const text of texts) {
    const crash = parseConsoleLog(text, { path: 'bench', format: 'console-log' });
    new AnalysisRun(crash).get(classify);
    reports += crash.reports.length;
  }
  return reports;
}

function measure(label: string, texts: string[]): void {
  // Warm-up: V8 optimises the hot paths over the first runs, as in a long batch.
  for (let i = 0; i < 3; i++) run(texts);
  const times: number[] = [];
  const cpu: number[] = [];
  let reports = 0;
  for (let i = 0; i < repeat; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    reports = run(texts);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const best = Math.min(...times);
  const bestCpu = Math.min(...cpu);
  // CPU time is the fairer figure on a shared machine (wall time counts other processes' turns).
  console.log(
    `${label.padEnd(26)} ${mb.toFixed(2)} MB: wall ${best.toFixed(0)} ms = ${(mb / (best / 1000)).toFixed(1)} MB/s, ` +
      `cpu ${bestCpu.toFixed(0)} ms = ${(mb / (bestCpu / 1000)).toFixed(1)} MB/s (best of ${repeat}), ${reports} reports`,
  );
}

console.log(`corpus: ${dir} (${logs.length} logs, ${mb.toFixed(2)} MB), code: ${built ? 'dist/' : 'src/'}`);
measure('concatenated, one log', [whole]);
measure('600 logs, one by one', logs);

/**
 * Console-log throughput: parse + classify over the whole syzkaller corpus, in one run.
 *   npx tsx bench/console.ts [--repeat N]
 * Prints MB/s for (a) the corpus concatenated into one log, (b) the 600 logs one by one, after a
 * warm-up (V8 compiles the hot paths first, as in a long `ktriage analyze` batch). Runs the sources
 * (tsx strips the types as esbuild does for dist/ktriage.js: the same code, ES2022).
 */

import { corpusDir, loadCorpus } from '../eval/corpus.js';
import { classify } from '../src/analyze/classify/index.js';
import { AnalysisRun } from '../src/analyze/engine.js';
import { parseConsoleLog } from '../src/text/console/index.js';

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

console.log(`corpus: ${dir} (${logs.length} logs, ${mb.toFixed(2)} MB)`);
measure('concatenated, one log', [whole]);
measure('600 logs, one by one', logs);

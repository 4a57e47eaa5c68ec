/**
 * Console-log throughput: parse + classify over the whole syzkaller corpus, in one run.
 *   npx tsx bench/console.ts [--repeat N]     (or --runs N; default 10)
 * Prints MB/s for (a) the corpus concatenated into one log, (b) the 600 logs one by one, after a
 * warm-up (V8 compiles the hot paths first, as in a long `ktriage analyze` batch). Runs the sources
 * (tsx strips the types as esbuild does for dist/ktriage.js: the same code, ES2022).
 */

import { corpusDir, loadCorpus } from '../eval/corpus.js';
import { classify } from '../src/analyze/classify/index.js';
import { AnalysisRun } from '../src/analyze/engine.js';
import { parseConsoleLog } from '../src/text/console/index.js';
import { parseArgs } from './lib/args.js';
import { bestOf } from './lib/timed.js';

const repeat = parseArgs(process.argv.slice(2), { runs: 10 }).runs;
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
  // Warm-up passes: V8 optimises the hot paths over the first runs, as in a long batch (with
  // --single-threaded it compiles on the main thread, and three passes were not enough to settle).
  const { wallMs, cpuMs, result: reports } = bestOf(repeat, 5, () => run(texts));
  // CPU time is the fairer figure on a shared machine (wall time counts other processes' turns).
  console.log(
    `${label.padEnd(26)} ${mb.toFixed(2)} MB: wall ${wallMs.toFixed(0)} ms = ${(mb / (wallMs / 1000)).toFixed(1)} MB/s, ` +
      `cpu ${cpuMs.toFixed(0)} ms = ${(mb / (cpuMs / 1000)).toFixed(1)} MB/s (best of ${repeat}), ${reports} reports`,
  );
}

console.log(`corpus: ${dir} (${logs.length} logs, ${mb.toFixed(2)} MB)`);
measure('concatenated, one log', [whole]);
measure('600 logs, one by one', logs);

/**
 * Crash-transcript throughput: parseCrashTranscript on (a) the seed, (b) every lab session (all
 * crash outputs of a scenario behind `crash>` prompts), (c) a large `foreach bt` made by repeating
 * the lab's real foreach-bt outputs with shifted task/stack addresses (the shape of a 7000-task
 * machine, for scaling only).
 *   npx tsx bench/transcript.ts [--repeat N]     (or --runs N; default 3)
 */

import { readFileSync } from 'node:fs';
import { parseCrashTranscript } from '../src/text/crash/index.js';
import { LAB_SCENARIOS, labFile, labSession, SEED } from '../test/crash/helpers.js';
import { parseArgs } from './lib/args.js';
import { bestOf } from './lib/timed.js';

const repeat = parseArgs(process.argv.slice(2), { runs: 3 }).runs;

function bigForeach(tasks: number): string {
  const blocks = LAB_SCENARIOS.flatMap((s) =>
    readFileSync(labFile(s, 'foreach-bt.txt'), 'utf8')
      .split(/\n(?=PID: )/)
      .filter((b) => b.trim() !== ''),
  );
  const out: string[] = [];
  for (let i = 0; out.length < tasks; i++) {
    const shift = BigInt(i + 1) << 24n;
    const block = blocks[i % blocks.length]!.replace(/\b(ffff[0-9a-f]{12})\b/g, (h) =>
      (BigInt(`0x${h}`) + shift).toString(16).padStart(16, '0').slice(-16),
    );
    out.push(block.replace(/^PID: +\d+/, `PID: ${1000 + i}`));
  }
  return `crash> foreach bt\n${out.join('\n\n')}\n`;
}

function measure(label: string, texts: string[]): void {
  const mb = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;
  const run = () =>
    texts.reduce(
      (n, t) => n + parseCrashTranscript(t, { path: 'bench', format: 'crash-transcript' }).stacks.length,
      0,
    );
  const { wallMs: best, cpuMs: bestCpu, result: stacks } = bestOf(repeat, 1, run);
  console.log(
    `${label.padEnd(28)} ${mb.toFixed(2)} MB: wall ${best.toFixed(0)} ms = ${(mb / (best / 1000)).toFixed(1)} MB/s, ` +
      `cpu ${bestCpu.toFixed(0)} ms = ${(mb / (bestCpu / 1000)).toFixed(1)} MB/s (best of ${repeat}), ${stacks} stacks`,
  );
}

measure('seed', [readFileSync(SEED, 'utf8')]);
measure(
  '10 lab sessions',
  LAB_SCENARIOS.map((s) => labSession(s).text),
);
measure('foreach bt, 7000 tasks', [bigForeach(7000)]);

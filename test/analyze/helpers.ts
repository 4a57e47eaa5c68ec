/** Loading the real fixtures the analyzer tests run on: the seed transcript, lab sessions, logs. */

import { readFileSync } from 'node:fs';
import { diagnose } from '../../src/analyze/diagnose.js';
import type { Diagnosis } from '../../src/analyze/results.js';
import type { Crash } from '../../src/model/index.js';
import { parseConsoleLog } from '../../src/text/console/index.js';
import { parseCrashTranscript } from '../../src/text/crash/index.js';
import { labSession } from '../crash/helpers.js';
import { fixture } from '../helpers/shared.js';

export const SEED_PATH = fixture('seed', 'hardlockup-put_compound_page.zh.txt');
export const seedText = (): string => readFileSync(SEED_PATH, 'utf8');

export function transcript(text: string, path = '<test>'): { crash: Crash; d: Diagnosis } {
  const crash = parseCrashTranscript(text, { path, format: 'crash-transcript' });
  return { crash, d: diagnose(crash) };
}

export function labTranscript(scenario: string): { crash: Crash; d: Diagnosis } {
  return transcript(labSession(scenario).text, `lab/${scenario}`);
}

export function labLog(scenario: string): { crash: Crash; d: Diagnosis } {
  const path = fixture('lab', scenario, 'vmcore-dmesg.txt');
  const crash = parseConsoleLog(readFileSync(path, 'utf8'), { path, format: 'console-log' });
  return { crash, d: diagnose(crash) };
}

export function labFile(scenario: string, ...parts: string[]): string {
  return readFileSync(fixture('lab', scenario, ...parts), 'utf8');
}

/** `sym` lines of a lab lock.txt: name → address, as crash printed them. */
export function labSymbols(scenario: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const m of labFile(scenario, 'crash', 'lock.txt').matchAll(/^([0-9a-f]{16}) \(\w\) (\w+)/gm)) {
    out.set(m[2]!, BigInt(`0x${m[1]}`));
  }
  return out;
}

/** drgn's reference task list: pid → comm, state, task address. */
export function drgnTasks(scenario: string): { pid: number; comm: string; state: string; task: bigint }[] {
  const text = labFile(scenario, 'drgn-tasks.txt');
  return [...text.matchAll(/^PID (\d+)\s+COMM (\S+)\s+STATE (\S+)\s+CPU \d+\s+TASK 0x([0-9a-f]+)/gm)].map(
    (m) => ({
      pid: Number(m[1]),
      comm: m[2]!,
      state: m[3]!,
      task: BigInt(`0x${m[4]}`),
    }),
  );
}

/**
 * A syzkaller corpus log (test/fixtures/syzkaller/N) without its TITLE:/TYPE: header lines, parsed
 * and diagnosed: `text` is what the expectations are read from.
 */
export function corpusLog(n: string): { text: string; crash: Crash; d: Diagnosis } {
  const path = fixture('syzkaller', n);
  const text = readFileSync(path, 'utf8').replace(/^(?:[A-Z]+: .*\n)+\n?/, '');
  const crash = parseConsoleLog(text, { path, format: 'console-log' });
  return { text, crash, d: diagnose(crash) };
}

/** Shared helpers for the crash-transcript tests: read fixtures, assemble lab transcripts. */

import { existsSync, readFileSync } from 'node:fs';
import type { Crash } from '../../src/model/index.js';
import { parseCrashTranscript } from '../../src/text/crash/index.js';
import { fixture } from '../helpers/shared.js';

export const SEED = fixture('seed', 'hardlockup-put_compound_page.zh.txt');

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export function parseFile(path: string): Crash {
  return parseCrashTranscript(readText(path), { path, format: 'crash-transcript' });
}

export function parseText(text: string, path = '<test>'): Crash {
  return parseCrashTranscript(text, { path, format: 'crash-transcript' });
}

export const LAB_SCENARIOS = [
  'abba-spinlock',
  'abba-spinlock-irqoff',
  'bitlock-sched',
  'bitlock-sched-irqoff',
  'mutex-hung',
  'null-deref',
  'oom',
  'rcu-stall',
  'softlockup',
  'sysrq-c',
] as const;

export function labFile(scenario: string, name: string): string {
  return fixture('lab', scenario, 'crash', name);
}

/**
 * A whole crash session of a lab scenario, as a user would paste it: each command of the lab's
 * `commands.txt` after a `crash>` prompt, followed by the file it wrote (appends `>>` continue the
 * previous file's output, which is how crash printed them). Real outputs, real commands; only the
 * prompts are added.
 */
export function labSession(scenario: string): { text: string; commands: string[] } {
  const commands = readText(labFile(scenario, 'commands.txt'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'quit');
  const order: { command: string; file: string; append: boolean }[] = [];
  for (const line of commands) {
    const m = /^(.*?)\s+(>>?)\s+(\S+)$/.exec(line);
    if (!m) continue;
    const file = m[3]!.split('/').pop()!;
    order.push({ command: m[1]!, file, append: m[2] === '>>' });
  }
  // Split files written by several commands: each command's share is unknown in general, so
  // files with appends are split at the shapes the lab's lock.txt uses (one `p`/`sym`/`rd`/`dis` each).
  const parts: string[] = [];
  const files = new Map<string, string[]>();
  for (const { file } of order) {
    if (files.has(file)) continue;
    const path = labFile(scenario, file);
    files.set(
      file,
      existsSync(path) ? splitAppended(readText(path), order.filter((o) => o.file === file).length) : [],
    );
  }
  const used = new Map<string, number>();
  for (const { command, file } of order) {
    const i = used.get(file) ?? 0;
    used.set(file, i + 1);
    parts.push(`crash> ${command}`);
    const chunk = files.get(file)?.[i];
    if (chunk) parts.push(chunk.replace(/\n$/, ''));
  }
  return { text: `${parts.join('\n')}\n`, commands: order.map((o) => o.command) };
}

/** The lab's lock.txt holds 1–4 commands' outputs; cut it where a new command's output starts. */
function splitAppended(text: string, commands: number): string[] {
  if (commands <= 1) return [text];
  const lines = text.replace(/\n$/, '').split('\n');
  const starts = [0];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const prev = lines[i - 1]!;
    const isP = /^(\w+ = )?\$\d+ = /.test(l);
    const isSym = /^[0-9a-f]{16} \(\w\) /.test(l) && !/^[0-9a-f]{16} \(\w\) /.test(prev);
    const isRd = /^[0-9a-f]{16}: {2}/.test(l) && !/^[0-9a-f]{16}: {2}/.test(prev);
    const isDis =
      /^[\w/.-]+\.c: \d+$/.test(l) && !/^0x|\.c: \d+$/.test(prev) && /^\$\d+ = |= \$\d+ = /.test(prev);
    if (isP || isSym || isRd || isDis) starts.push(i);
  }
  const chunks = starts.map((s, k) => lines.slice(s, starts[k + 1] ?? lines.length).join('\n'));
  while (chunks.length > commands) {
    const last = chunks.pop()!;
    chunks[chunks.length - 1] += `\n${last}`;
  }
  return chunks;
}

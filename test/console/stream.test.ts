/**
 * The streaming reader: same diagnosis as reading the whole text, whatever the chunking, and
 * memory bounded by the report regions rather than the log's size.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/analyze/classify/index.js';
import { AnalysisRun } from '../../src/analyze/engine.js';
import type { Crash } from '../../src/model/index.js';
import { ConsoleLogReader, parseConsoleLog, readConsoleLogStream } from '../../src/text/console/index.js';
import { fixture } from '../helpers/shared.js';

const input = { path: 'stream', format: 'console-log' as const };
const lab = (s: string): string => readFileSync(fixture('lab', s, 'vmcore-dmesg.txt'), 'utf8');

function verdict(crash: Crash) {
  const c = new AnalysisRun(crash).get(classify);
  return {
    kind: c.kind,
    title: c.title,
    culprit: c.culprit?.function,
    panic: crash.system.panic,
    release: crash.system.release,
    cpus: crash.cpus.map((x) => x.id),
    stacks: crash.stacks.length,
  };
}

function streamed(text: string, cuts: number[]): Crash {
  const reader = new ConsoleLogReader(input);
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    reader.push(text.slice(at, cut));
    at = cut;
  }
  reader.push(text.slice(at));
  return reader.end();
}

describe('streaming console reader', () => {
  it('any chunking gives the same diagnosis as the whole text', () => {
    for (const scenario of ['abba-spinlock-irqoff', 'mutex-hung', 'null-deref', 'oom']) {
      const text = lab(scenario);
      const whole = verdict(parseConsoleLog(text, input));
      fc.assert(
        fc.property(fc.array(fc.nat({ max: text.length }), { maxLength: 40 }), (cuts) => {
          expect(verdict(streamed(text, cuts))).toEqual(whole);
        }),
        { numRuns: 25 },
      );
    }
  });

  it('bytes split inside UTF-8 characters decode the same', async () => {
    const text = `${lab('softlockup')}\nкомментарий — ✓\n`;
    const bytes = Buffer.from(text, 'utf8');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    const crash = await readConsoleLogStream(chunks(), input);
    expect(verdict(crash)).toEqual(verdict(parseConsoleLog(text, input)));
  });

  it('a long log keeps only the report regions (bounded memory)', () => {
    const text = lab('abba-spinlock-irqoff');
    const boot = text.split('\n').slice(0, 380).join('\n');
    // 200 000 lines of real boot chatter before the crash.
    const reader = new ConsoleLogReader(input);
    for (let i = 0; i < 530; i++) reader.push(`${boot}\n`);
    reader.push(text);
    const crash = reader.end();
    expect(crash.log.length).toBeLessThan(6000);
    expect(crash.gaps.some((g) => g.what.includes('log lines'))).toBe(true);
    const whole = verdict(parseConsoleLog(text, input));
    expect(verdict(crash)).toMatchObject({
      kind: whole.kind,
      title: whole.title,
      culprit: whole.culprit,
      panic: whole.panic,
    });
  });
});

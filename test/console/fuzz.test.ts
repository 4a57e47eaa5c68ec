/**
 * Property tests of the console source and the classifier: random text and bytes, and real corpus
 * logs mutated (lines shuffled, dropped, duplicated, truncated, bytes flipped) never make them
 * throw, and the verdict is always a known kind. Adversarial long lines cost time linear in their
 * length (measured as a ratio, never as an absolute time).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../eval/corpus.js';
import { classify } from '../../src/analyze/classify/index.js';
import { AnalysisRun } from '../../src/analyze/engine.js';
import { CRASH_KINDS } from '../../src/model/index.js';
import { parseConsoleLog } from '../../src/text/console/index.js';
import { fixture } from '../helpers/shared.js';

function analyse(text: string) {
  const crash = parseConsoleLog(text, { path: 'fuzz', format: 'console-log' });
  return new AnalysisRun(crash).get(classify);
}

const corpus = loadCorpus(fixture('syzkaller'))
  .filter((e) => e.log.length > 0)
  .map((e) => e.log);

type Mutation =
  | { kind: 'swap'; at: number }
  | { kind: 'drop'; at: number }
  | { kind: 'dup'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; to: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dup' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), to: fc.integer({ min: 0, max: 0xffff }) }),
);

function mutate(log: string, mutations: Mutation[]): string {
  let lines = log.split('\n');
  let text = log;
  for (const m of mutations) {
    text = lines.join('\n');
    if (m.kind === 'flip') {
      const at = m.at % Math.max(1, text.length);
      text = text.slice(0, at) + String.fromCharCode(m.to) + text.slice(at + 1);
      lines = text.split('\n');
      continue;
    }
    if (m.kind === 'truncate') {
      lines = text.slice(0, m.at % Math.max(1, text.length)).split('\n');
      continue;
    }
    const at = m.at % Math.max(1, lines.length);
    if (m.kind === 'swap' && at + 1 < lines.length) [lines[at], lines[at + 1]] = [lines[at + 1]!, lines[at]!];
    if (m.kind === 'drop') lines.splice(at, 1);
    if (m.kind === 'dup') lines.splice(at, 0, lines[at] ?? '');
  }
  return lines.join('\n');
}

const KINDS = new Set<string>(CRASH_KINDS);

describe('console fuzzing', () => {
  it('random text never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 4000 }), (text) => {
        expect(KINDS.has(analyse(text).kind)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes, decoded as a file would be, never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8000 }), (bytes) => {
        const text = Buffer.from(bytes).toString('utf8');
        expect(KINDS.has(analyse(text).kind)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('lines made of report fragments never throw', () => {
    const fragments = [
      '[  12.345678] ',
      '[  12.345678][ T123] ',
      '[  12.345678][    C1] ',
      'BUG: KASAN: use-after-free in foo+0x1/0x2',
      'WARNING: CPU: 0 PID: 1 at fs/x.c:12 foo+0x1/0x2',
      'Call Trace:',
      ' <IRQ>',
      ' </IRQ>',
      ' ? bar+0x1/0x2',
      ' baz+0x10/0x20 [mod]',
      'RIP: 0010:foo+0x1/0x2',
      'RSP: 0018:ffffc90000000000 EFLAGS: 00000002',
      'Code: 48 89 <0f> 0b',
      'NMI backtrace for cpu 1',
      'Sending NMI from CPU 0 to CPUs 1:',
      'INFO: rcu_sched detected stalls on CPUs/tasks:',
      'Kernel panic - not syncing: Fatal exception',
      'INFO: task a:1 blocked for more than 120 seconds.',
      '1 lock held by a/1:',
      ' #0: ffff888000000000 (&x->lock){+.+.}-{3:3}, at: foo+0x1/0x2',
      'CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1',
      '\r',
      '',
    ];
    const line = fc.array(fc.constantFrom(...fragments), { maxLength: 4 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 200 }), (lines) => {
        expect(KINDS.has(analyse(lines.join('\n')).kind)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('mutated corpus logs never throw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: corpus.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (which, mutations) => {
          expect(KINDS.has(analyse(mutate(corpus[which]!, mutations)).kind)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('adversarial long lines cost time linear in their length', () => {
    const patterns = [
      'BUG: soft lockup - CPU#1 stuck for 1s! [a:',
      'WARNING: at lib/refcount.c:1 ',
      'WARNING: CPU: 0 PID: 1 at a.c:1 f+',
      'BUG: KASAN: a in f+0x',
      ' ? f+0x1/0x2 [<ffffffff81000000>] ',
      'INFO: task a:1 blocked for more than ',
      '[  12.345678]',
      'Code: <48> ',
      '#0: ffff888000000000 (',
      'Local variable x created at',
    ];
    // CPU time of this process (ms), not wall time: other processes on a busy machine don't count.
    const time = (text: string): number => {
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        const t0 = process.cpuUsage();
        analyse(text);
        const used = process.cpuUsage(t0);
        best = Math.min(best, (used.user + used.system) / 1000);
      }
      return best;
    };
    for (const p of patterns) {
      // One 1 MB line vs one 100 KB line: ~10× the work if linear.
      const line = (bytes: number): string => `${p.repeat(Math.ceil(bytes / p.length))}\n`;
      const t1 = time(line(100_000));
      expect(time(line(1_000_000)) / Math.max(t1, 2), `one line of ${JSON.stringify(p)}`).toBeLessThan(60);
      // 2 MB of short adversarial lines vs 200 KB of them (every line may open a report).
      // Linear is ~10×, quadratic ~100×; the bound leaves room for a busy machine.
      const short = line(200);
      const t2 = time(short.repeat(1000));
      expect(time(short.repeat(10_000)) / Math.max(t2, 2), `lines of ${JSON.stringify(p)}`).toBeLessThan(60);
    }
    // Lines read only inside a report's context: an OOM report's Mem-Info counters.
    const memInfo = (bytes: number): string =>
      `a invoked oom-killer: gfp_mask=0x0, order=0, oom_score_adj=0\nMem-Info:\nfree:1 ${'a'.repeat(bytes)}:1\n`;
    const t3 = time(memInfo(100_000));
    expect(time(memInfo(1_000_000)) / Math.max(t3, 2), 'a Mem-Info line').toBeLessThan(60);
  });
});

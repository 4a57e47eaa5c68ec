/**
 * Property tests: mutated real transcripts (lines dropped, duplicated, swapped, cut, spliced with
 * noise) never make the parser throw, and the result keeps its invariants (frames ordered, stack
 * indices valid, evidence lines inside the input).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { looksLikeCrashTranscript } from '../../src/text/crash/index.js';
import { LAB_SCENARIOS, labSession, parseText, readText, SEED } from './helpers.js';

const sources = [readText(SEED), labSession('abba-spinlock-irqoff').text, labSession('null-deref').text];

const noise = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom(
    'crash> ',
    'crash> bt -a | grep x | wc -l',
    '    [exception RIP: ',
    '--- <NMI exception stack> ---',
    'PID: 1  TASK: ffff  CPU: x COMMAND: "',
    '#0 [ffff] f at ',
    '    RIP: ffffffff81178b60  RSP: ',
    'struct page {',
    '  _count = {',
    '}',
    '$1 = {',
    '0xffffffff81178b5c <put_compound_page+332>:\tmov    (%r12',
    'WARNING: possibly bogus exception frame',
    '-----------这个RIP',
    '&lt;br&gt;',
    '# grep a b | wc -l',
    '99999999999999999999',
  ),
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: noise }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), chars: fc.nat({ max: 200 }) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, mutations: Mutation[]): string {
  const lines = text.split('\n');
  for (const m of mutations) {
    const at = lines.length ? m.at % lines.length : 0;
    if (m.kind === 'drop') lines.splice(at, m.count);
    else if (m.kind === 'dup') lines.splice(at, 0, ...lines.slice(at, at + m.count));
    else if (m.kind === 'insert') lines.splice(at, 0, m.text);
    else if (m.kind === 'cut') lines[at] = (lines[at] ?? '').slice(0, m.chars);
    else if (m.kind === 'swap' && lines.length) {
      const o = m.other % lines.length;
      [lines[at], lines[o]] = [lines[o]!, lines[at]!];
    }
  }
  return lines.join('\n');
}

describe('crash transcript parser on mutated input', () => {
  it('never throws and keeps the model consistent', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: sources.length - 1 }),
        fc.array(mutation, { maxLength: 12 }),
        (which, muts) => {
          const text = mutate(sources[which]!, muts);
          const crash = parseText(text);
          const lineCount = text.split('\n').length;
          for (const stack of crash.stacks) {
            for (const ex of stack.exceptions)
              expect(ex.beforeFrame).toBeLessThanOrEqual(stack.frames.length);
            for (const fw of stack.frameWords ?? []) expect(fw.frame).toBeLessThan(stack.frames.length);
            if (stack.evidence?.line !== undefined)
              expect(stack.evidence.line).toBeLessThanOrEqual(lineCount);
          }
          for (const task of crash.tasks)
            if (task.stack !== undefined) expect(crash.stacks[task.stack]).toBeDefined();
          for (const cpu of crash.cpus)
            if (cpu.stack !== undefined) expect(crash.stacks[cpu.stack]).toBeDefined();
          looksLikeCrashTranscript(text);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 120 }), noise), { maxLength: 60 }), (parts) => {
        const text = parts.join('\n');
        parseText(text);
        looksLikeCrashTranscript(text);
      }),
      { numRuns: 300 },
    );
  });

  it('reads pathological lines in linear time (no regex blow-up)', () => {
    const long = [
      `#1 [${'f'.repeat(5000)}`,
      `    ${'RAX: 0000000000000000  '.repeat(500)}`,
      `${'a'.repeat(100_000)} = ${'{'.repeat(1000)}`,
      `0x${'f'.repeat(3000)} <${'x'.repeat(3000)}`,
      '-'.repeat(50_000),
      `crash> ${'| grep x '.repeat(2000)}| wc -l`,
      `${'}, {\n'.repeat(5000)}`,
    ];
    for (const text of long) parseText(text);
    expect(LAB_SCENARIOS.length).toBeGreaterThan(0);
  });
});

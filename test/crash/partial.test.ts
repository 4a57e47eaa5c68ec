/**
 * Partial transcripts: what people paste into tickets is often only `sys` and `bt`, or a few grep
 * lines. The parser reads what is there, invents nothing, and says what is missing.
 */

import { describe, expect, it } from 'vitest';
import { looksLikeCrashTranscript } from '../../src/text/crash/index.js';
import { labFile, labSession, parseText, readText, SEED } from './helpers.js';

const labSessionText = (s: string) => labSession(s).text;

const seedLines = readText(SEED).split('\n');

describe('partial transcripts', () => {
  it('only sys + bt (seed lines 12-58): the panic, one stack, nothing else', () => {
    const crash = parseText(seedLines.slice(11, 58).join('\n'));
    expect(crash.system.panic).toMatch(/hard LOCKUP on cpu 10/);
    expect(crash.stacks).toHaveLength(1);
    expect(crash.stacks[0]!.frames).toHaveLength(18);
    expect(crash.stacks[0]!.frameWords).toBeUndefined();
    expect(crash.pages).toEqual([]);
    expect(crash.structs).toEqual([]);
    expect(crash.shellCounts).toEqual([]);
    expect(crash.code).toBeUndefined();
    expect(crash.memory).toBeUndefined();
    expect(crash.cpus.map((c) => c.id)).toEqual([10]);
    const gaps = crash.gaps.map((g) => g.what);
    expect(gaps).toContain('`bt -a`');
    expect(gaps).toContain('`dis -l ffffffff81178b60`'); // the spin RIP was never disassembled
  });

  it('only the grep lines and counts (seed lines 263-281): partial stacks and two counts', () => {
    const crash = parseText(seedLines.slice(262, 281).join('\n'));
    // Without the full panic stack, #11 stays a fragment of its own: 7 frames, 7 stacks.
    expect(crash.stacks).toHaveLength(7);
    expect(crash.stacks.every((s) => s.partial && s.pid === undefined)).toBe(true);
    expect(crash.shellCounts.map((c) => c.count)).toEqual([34, 69]);
    expect(crash.system).toEqual({});
    expect(crash.tasks).toEqual([]);
    expect(crash.gaps.map((g) => g.what)).toContain('`sys` output');
  });

  it('a lone bt of the lab panic task, pasted without prompt', () => {
    const text = readText(labFile('bitlock-sched', 'bt-a.txt')).split('\n\n')[1]!;
    const crash = parseText(text);
    expect(crash.stacks).toHaveLength(1);
    expect(crash.stacks[0]!.pid).toBe(126);
    expect(crash.tasks).toHaveLength(1);
  });

  it('empty and prose-only inputs give an empty model', () => {
    for (const text of [
      '',
      '\n\n',
      seedLines.slice(345, 383).join('\n'),
      '首先,一般hardlock的触发原因是因为关中断时间太长',
    ]) {
      const crash = parseText(text);
      expect(crash.stacks).toEqual([]);
      expect(crash.tasks).toEqual([]);
      expect(crash.transcript).toEqual([]);
    }
  });
});

/** Wraps each line longer than `width` at its last blank before the limit, as mail clients do. */
function wrapAt(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const parts: string[] = [];
      let rest = line;
      while (rest.length > width) {
        const cut = rest.lastIndexOf(' ', width);
        if (cut <= 0 || rest.slice(0, cut).trim() === '') break;
        parts.push(rest.slice(0, cut));
        rest = rest.slice(cut + 1);
      }
      parts.push(rest);
      return parts;
    })
    .join('\n');
}

describe('wrapped lines', () => {
  const summary = (crash: ReturnType<typeof parseText>) => ({
    // the log's own stacks are the console source's business (wrapped log lines are its concern)
    stacks: crash.stacks
      .filter((s) => s.origin === 'crash-bt')
      .map((s) => ({
        pid: s.pid,
        cpu: s.cpu,
        comm: s.comm,
        frames: s.frames.map((f) => `${f.fn} ${f.address} ${f.module}`),
        exceptions: s.exceptions.map((e) => ({ ...e, evidence: undefined, regs: e.regs.values })),
      })),
    counts: crash.shellCounts.map((c) => [c.count, c.patterns]),
    panic: crash.system.panic,
  });

  it('lab sessions wrapped at 72 and 64 columns read the same as unwrapped', () => {
    for (const [scenario, width] of [
      ['abba-spinlock-irqoff', 72],
      ['null-deref', 64],
      ['sysrq-c', 72],
      ['seed', 80],
      ['seed', 72],
    ] as const) {
      const text = scenario === 'seed' ? readText(SEED) : labSessionText(scenario);
      const wrapped = wrapAt(text, width);
      expect(wrapped.split('\n').length).toBeGreaterThan(text.split('\n').length);
      expect(summary(parseText(wrapped))).toEqual(summary(parseText(text)));
    }
  });
});

describe('quoted in a mail reply', () => {
  it('a lab session quoted with "> " reads the same (ps `>` marks stay ambiguous, not invented)', () => {
    const text = labSessionText('null-deref');
    const quoted = text
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n');
    const a = parseText(text);
    const b = parseText(quoted);
    expect(b.stacks.map((s) => s.frames.length)).toEqual(a.stacks.map((s) => s.frames.length));
    expect(b.system.panic).toBe(a.system.panic);
    expect(looksLikeCrashTranscript(quoted)).toBe(true);
    expect(b.code?.around(0xffffffffc036a005n, 0, 1)[0]?.mnemonic).toBe('movq');
    // a quoted ps row `>  >  0 …` keeps crash's own `>`
    expect(b.tasks.filter((t) => t.active).length).toBe(a.tasks.filter((t) => t.active).length);
  });
});

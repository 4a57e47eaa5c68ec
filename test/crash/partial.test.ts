/**
 * Partial transcripts: what people paste into tickets is often only `sys` and `bt`, or a few grep
 * lines. The parser reads what is there, invents nothing, and says what is missing.
 */

import { describe, expect, it } from 'vitest';
import { labFile, parseText, readText, SEED } from './helpers.js';

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

/**
 * `ktriage bt -t -a` against crash 8.0.2's `bt -t -a` of the same dumps (test/fixtures/unwind/bt-t):
 * headers, `START:` lines and the stacks left must be crash's, and every (stack address, text
 * address) line crash prints must be ours, in order, except where crash is known to print
 * something else (docs/unwind.md, "bt -t"):
 * - the line crash prints first after an exception stack carries the interrupted RIP at the
 *   exception stack's *base* address; ours the same RIP at the interrupted RSP;
 * - the line crash prints first after the IRQ stack is the return address *below* the SP saved at
 *   the IRQ stack's top, taken for a pt_regs; ours scan the task stack from that SP, through the
 *   real pt_regs, and on where crash stops at that bogus frame.
 * examples/pagelock-smp8.vmcore (in the repo, crash cannot open it: shrunk) is checked against the
 * crash output of the lab dump it was shrunk from; the lab dumps skip when absent.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type BtTextBlock, lcs, parseBtText } from '../../../eval/bt-text-compare.js';
import { renderBt } from '../../../src/cli/commands/bt.js';
import { labPath } from '../../helpers/lab.js';
import { fixture, repoRoot } from '../../helpers/shared.js';

const REFS = fixture('unwind', 'bt-t');
const scenarios = readdirSync(REFS)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => f.replace(/\.txt$/, ''));

function expectCrashWords(ours: BtTextBlock[], theirs: BtTextBlock[]): void {
  expect(ours.map((b) => b.header)).toEqual(theirs.map((b) => b.header));
  theirs.forEach((crash, k) => {
    const mine = ours[k]!;
    const where = `CPU ${crash.cpu}`;
    expect(mine.start, where).toBe(crash.start);
    // crash stops at a bogus user-mode frame after the IRQ stack; the stacks it did leave are ours.
    expect(mine.left.slice(0, crash.left.length), where).toEqual(crash.left);
    const firstOf = (b: BtTextBlock, section: number) => b.lines.find((l) => l.section === section);
    crash.left.forEach((stack, i) => {
      if (stack === 'IRQ stack') return;
      expect(firstOf(mine, i + 1)?.value, `${where}: RIP after the ${stack}`).toBe(
        firstOf(crash, i + 1)?.value,
      );
    });
    const reBased = new Set(crash.left.map((_, i) => firstOf(crash, i + 1)));
    const core = crash.lines.filter((l) => !reBased.has(l));
    const pairs = lcs(core, mine.lines);
    expect(pairs.length, `${where}: crash's lines in ours`).toBe(core.length);
    for (const [i, j] of pairs) expect(mine.lines[j]!.name, where).toBe(core[i]!.name);
    // Lines crash has not: the re-based RIP lines, and the task stack past the IRQ stack.
    const matched = new Set(pairs.map(([, j]) => j));
    const irqLeft = mine.left.indexOf('IRQ stack');
    mine.lines.forEach((l, j) => {
      if (matched.has(j) || l === firstOf(mine, l.section)) return;
      expect(irqLeft >= 0 && l.section > irqLeft, `${where}: extra line ${l.name} at ${l.slot}`).toBe(true);
    });
  });
}

describe.each(scenarios)('bt -t -a of the lab dump %s', (scenario) => {
  const vmcore = labPath('corpus', scenario, 'vmcore');
  it.skipIf(!vmcore)('prints crash’s text words', () => {
    const theirs = parseBtText(readFileSync(fixture('unwind', 'bt-t', `${scenario}.txt`), 'utf8'));
    const ours = parseBtText(renderBt(vmcore!, undefined, { all: true, text: true }));
    expectCrashWords(ours, theirs);
  });
});

describe('bt -t of examples/pagelock-smp8.vmcore', () => {
  const vmcore = `${repoRoot}/examples/pagelock-smp8.vmcore`;
  const theirs = parseBtText(readFileSync(fixture('unwind', 'bt-t', 'pagelock-syscall-smp8.txt'), 'utf8'));

  it('prints crash’s text words of the dump it was shrunk from', () => {
    expectCrashWords(parseBtText(renderBt(vmcore, undefined, { all: true, text: true })), theirs);
  });

  it('marks with ? only words that are no frame of the backtrace', () => {
    const frames = renderBt(vmcore, undefined, { all: true });
    const slots = new Set(
      [...frames.matchAll(/#\s*\d+ \[([0-9a-f]{16})\] (\S+) at ([0-9a-f]{16})/g)].map(
        (m) => `${m[1]}:${m[3]}`,
      ),
    );
    const text = renderBt(vmcore, undefined, { all: true, text: true });
    const unsure = [...text.matchAll(/^ {2}\[([0-9a-f]{16})\] \? \S+ at ([0-9a-f]{16})/gm)];
    expect(unsure.length).toBeGreaterThan(0);
    for (const m of unsure) expect(slots.has(`${m[1]}:${m[2]}`)).toBe(false);
  });

  it('scans one task by PID from its saved SP to the top of its stack', () => {
    const pid = /PID: (\d+)\s+TASK: \S+\s+CPU: 1 /.exec(
      readFileSync(fixture('unwind', 'bt-t', 'pagelock-syscall-smp8.txt'), 'utf8'),
    )![1]!;
    const one = parseBtText(renderBt(vmcore, pid, { text: true }));
    expect(one.length).toBeGreaterThan(0);
    for (const b of one) expect(b.header).toContain(`PID: ${pid} `);
  });
});

/**
 * `ktriage bt -t -a` against crash 8.0.2's `bt -t -a` on every lab dump: per CPU, the (stack
 * address, text address) lines of both, matched in order. Prints one line per CPU that differs,
 * with the lines only one side has, and the totals.
 *
 *   npm run eval:bt-text [-- REFDIR]   (REFDIR: crash outputs <scenario>.txt; default
 *                                       test/fixtures/unwind/bt-t; dumps from the lab data)
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderBt } from '../src/cli/commands/bt.js';
import { labPath } from '../test/helpers/lab.js';
import { fixture } from '../test/helpers/shared.js';
import {
  type BtTextBlock,
  type BtTextScore,
  compareBtText,
  parseBtText,
  type TextLine,
} from './bt-text-compare.js';

const refDir = process.argv[2] ?? fixture('unwind', 'bt-t');
const show = (l: TextLine) =>
  `[${l.slot.toString(16)}] ${l.unsure ? '? ' : ''}${l.name} at ${l.value.toString(16)}`;
const total = {
  crash: 0,
  ours: 0,
  same: 0,
  namesDiffer: 0,
  cpus: 0,
  cpusIdentical: 0,
  /** crash's first line after each `--- <… stack> ---`: a re-based RIP or its IRQ eframe guess. */
  reBased: 0,
  reBasedSameRip: 0,
  coreSame: 0,
};

for (const file of readdirSync(refDir)
  .filter((f) => f.endsWith('.txt'))
  .sort()) {
  const scenario = file.replace(/\.txt$/, '');
  const vmcore = scenario.startsWith('example-')
    ? fixture('..', '..', 'examples', `${scenario.slice('example-'.length)}.vmcore`)
    : labPath('corpus', scenario, 'vmcore');
  if (!vmcore || !existsSync(vmcore)) {
    console.log(`${scenario}: no dump, skipped`);
    continue;
  }
  const theirs = parseBtText(readFileSync(join(refDir, file), 'utf8'));
  const ours = parseBtText(renderBt(vmcore, undefined, { all: true, text: true }));
  for (const block of theirs) {
    const mine = ours.find((b) => b.cpu === block.cpu);
    const s: BtTextScore = compareBtText(block.lines, mine?.lines ?? []);
    total.cpus++;
    total.crash += s.crash;
    total.ours += s.ours;
    total.same += s.same;
    total.namesDiffer += s.namesDiffer;
    const firstOf = (b: BtTextBlock | undefined, section: number) =>
      b?.lines.find((l) => l.section === section);
    const reBased = new Set(block.left.map((_, i) => firstOf(block, i + 1)));
    block.left.forEach((stack, i) => {
      if (stack === 'IRQ stack') return;
      total.reBased++;
      if (firstOf(block, i + 1)?.value === firstOf(mine, i + 1)?.value) total.reBasedSameRip++;
    });
    total.reBased += block.left.filter((stack) => stack === 'IRQ stack').length;
    const core = block.lines.filter((l) => !reBased.has(l));
    total.coreSame += compareBtText(core, mine?.lines ?? []).same;
    const identical = s.same === s.crash && s.same === s.ours;
    if (identical) total.cpusIdentical++;
    else {
      console.log(`${scenario} CPU ${block.cpu}: ${s.same}/${s.crash} of crash's lines, ${s.ours} ours`);
      for (const l of s.onlyCrash) console.log(`    crash only: ${show(l)}`);
      for (const l of s.onlyOurs) console.log(`    ours only:  ${show(l)}`);
    }
    if (s.namesDiffer > 0) console.log(`${scenario} CPU ${block.cpu}: ${s.namesDiffer} names differ`);
  }
}
const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(2)}%`;
console.log(
  `\n${total.cpus} CPUs, ${total.cpusIdentical} identical; crash's lines found in ours: ${total.same}/${total.crash} (${pct(total.same, total.crash)}); ` +
    `ours in crash's: ${total.same}/${total.ours} (${pct(total.same, total.ours)}); names differ on ${total.namesDiffer} matched lines`,
);
console.log(
  `crash's first line after a stack switch (${total.reBased}: exception RIP at the exception stack's base, ` +
    `or its IRQ eframe guess): exception RIPs equal to ours ${total.reBasedSameRip}; ` +
    `all other crash lines found in ours: ${total.coreSame}/${total.crash - total.reBased} ` +
    `(${pct(total.coreSame, total.crash - total.reBased)})`,
);

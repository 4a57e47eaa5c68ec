/**
 * The syzkaller corpus (../shared's copy, else test/fixtures/syzkaller): exact titles may only go up.
 * FLOOR is the figure `npm run eval:syzkaller` reached; raise it when accuracy improves.
 */

import { describe, expect, it } from 'vitest';
import { corpusDir, loadCorpus } from '../../eval/corpus.js';
import { type Scored, scoreEntry } from '../../eval/score.js';

const FLOOR = { exact: 600, of: 600, negatives: 27, corruptedAgree: 573 };

describe('syzkaller corpus', () => {
  const dir = corpusDir();
  let scored: Scored[] = [];
  const score = (): Scored[] => {
    if (scored.length === 0) scored = loadCorpus(dir!).map(scoreEntry);
    return scored;
  };

  it.skipIf(!dir)('keeps the exact-title floor', () => {
    const all = score();
    expect(all.length).toBe(FLOOR.of);
    const misses = all.filter((s) => !s.ok).map((s) => `${s.entry.name}: ${s.entry.title} ≠ ${s.got}`);
    expect(all.length - misses.length, misses.join('\n')).toBeGreaterThanOrEqual(FLOOR.exact);
    const negatives = all.filter((s) => s.entry.title === undefined);
    expect(negatives.filter((s) => s.ok).length).toBeGreaterThanOrEqual(FLOOR.negatives);
  });

  it.skipIf(!dir)('flags damaged reports where the corpus does', () => {
    const crashes = score().filter((s) => s.entry.title !== undefined);
    const agree = crashes.filter((s) => s.gotCorrupted === s.entry.corrupted).length;
    expect(agree).toBeGreaterThanOrEqual(FLOOR.corruptedAgree);
  });
});

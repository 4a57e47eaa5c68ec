/**
 * The syzkaller corpus (../shared's copy, else test/fixtures/syzkaller): exact titles may only go up.
 * FLOOR is the figure `npm run eval:syzkaller` reached; raise it when accuracy improves.
 */

import { describe, expect, it } from 'vitest';
import { corpusDir, loadCorpus } from '../../eval/corpus.js';
import { scoreEntry } from '../../eval/score.js';

const FLOOR = { exact: 600, of: 600, negatives: 27 };

describe('syzkaller corpus', () => {
  const dir = corpusDir();
  it.skipIf(!dir)('keeps the exact-title floor', () => {
    const scored = loadCorpus(dir!).map(scoreEntry);
    expect(scored.length).toBe(FLOOR.of);
    const ok = scored.filter((s) => s.ok).length;
    const misses = scored.filter((s) => !s.ok).map((s) => `${s.entry.name}: ${s.entry.title} ≠ ${s.got}`);
    expect(ok, misses.join('\n')).toBeGreaterThanOrEqual(FLOOR.exact);
    const negatives = scored.filter((s) => s.entry.title === undefined);
    expect(negatives.filter((s) => s.ok).length).toBeGreaterThanOrEqual(FLOOR.negatives);
  });

  it.skipIf(!dir)('flags damaged reports where the corpus does', () => {
    const scored = loadCorpus(dir!)
      .map(scoreEntry)
      .filter((s) => s.entry.title !== undefined);
    const agree = scored.filter((s) => s.gotCorrupted === s.entry.corrupted).length;
    expect(agree).toBeGreaterThanOrEqual(scored.length);
  });
});

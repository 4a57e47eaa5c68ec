/**
 * The corpus re-shaped as people paste logs (eval/shapes-table.ts) must keep its titles. Floors are
 * what `npm run eval:shapes` measured; the shapes that drop printk caller ids lose the only way to
 * tell interleaved CPUs apart, so a few reports turn "corrupted" there, as they would for syzkaller.
 * The rest of the gap is artificial: a `login:` prompt glued before the first stamp, then prefixed.
 */

import { describe, expect, it } from 'vitest';
import { corpusDir, loadCorpus } from '../../eval/corpus.js';
import { scoreEntry } from '../../eval/score.js';
import { SHAPES } from '../../eval/shapes-table.js';

const FLOORS: Record<string, number> = {
  'as in the corpus': 600,
  'CRLF line ends': 600,
  'syslog prefix, stamp kept': 598,
  'syslog prefix, no stamp': 591,
  'journalctl -k -o short-iso': 591,
  'dmesg -T': 600,
  'printk level <4>': 595,
  'no stamps (printk.time=0)': 585,
  'indented (a blog code block)': 598,
  'quoted in mail (> )': 595,
};

describe.skipIf(!corpusDir())('the corpus in the shapes logs arrive in', () => {
  const entries = loadCorpus(corpusDir()!);
  const original = new Map(entries.map((e) => [e.name, scoreEntry(e).got]));

  for (const shape of SHAPES) {
    it(`${shape.name}: titles unchanged in at least ${FLOORS[shape.name]} of ${entries.length}`, () => {
      const changed = entries.filter(
        (e) => scoreEntry({ ...e, log: shape.apply(e.log) }).got !== original.get(e.name),
      );
      expect(entries.length - changed.length, changed.map((e) => e.name).join(' ')).toBeGreaterThanOrEqual(
        FLOORS[shape.name]!,
      );
    });
  }
});

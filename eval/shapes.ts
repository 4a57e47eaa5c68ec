/**
 * `npm run eval:shapes`: the syzkaller corpus re-shaped the ways people paste logs (syslog and
 * journal prefixes, dmesg -T, printk levels, CRLF, stamps stripped) must classify as the original
 * does. Prints, per shape, how many titles stay the same as ktriage's title on the original, and the
 * exact-title accuracy against the corpus; lists what changed.
 */

import { corpusDir, loadCorpus } from './corpus.js';
import { type Scored, scoreEntry } from './score.js';
import { SHAPES } from './shapes-table.js';

const dir = corpusDir();
if (!dir) {
  console.error('eval: syzkaller corpus not found');
  process.exit(3);
}
const entries = loadCorpus(dir);
const original = new Map(entries.map((e) => [e.name, scoreEntry(e)]));
const limit = Number(process.argv[process.argv.indexOf('--show') + 1] || 5);

for (const shape of SHAPES) {
  const changed: { name: string; before: string; after: string }[] = [];
  let correct = 0;
  for (const entry of entries) {
    const s: Scored = scoreEntry({ ...entry, log: shape.apply(entry.log) });
    if (s.ok) correct++;
    const before = original.get(entry.name)!.got;
    if (s.got !== before) changed.push({ name: entry.name, before, after: s.got });
  }
  const same = entries.length - changed.length;
  console.log(
    `${shape.name.padEnd(28)} same title ${same}/${entries.length}   exact vs corpus ${correct}/${entries.length} (${((100 * correct) / entries.length).toFixed(1)}%)`,
  );
  for (const c of changed.slice(0, limit))
    console.log(`    ${c.name.padStart(5)}  ${c.before || '(none)'}  →  ${c.after || '(none)'}`);
}

/**
 * `npm run eval:syzkaller`: exact-title accuracy of the console classifier over the syzkaller corpus
 * (TITLE, or any ALT the file gives), overall, per family and per TYPE, the no-crash negatives,
 * and every miss (expected vs got).
 */

import { corpusDir, loadCorpus } from './corpus.js';
import { familyOf, type Scored, scoreEntry } from './score.js';

const dir = corpusDir();
if (!dir) {
  console.error(
    'eval: syzkaller corpus not found (../shared/corpus/syzkaller-linux-report or test/fixtures/syzkaller)',
  );
  process.exit(3);
}
const entries = loadCorpus(dir);
const started = performance.now();
const scored: Scored[] = entries.map(scoreEntry);
const ms = performance.now() - started;

const pct = (a: number, b: number): string => (b === 0 ? '-' : ((100 * a) / b).toFixed(1) + '%');
function table(label: string, key: (s: Scored) => string): void {
  const groups = new Map<string, Scored[]>();
  for (const s of scored) {
    const k = key(s);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  console.log(`\n${label}:`);
  for (const [k, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    const ok = list.filter((s) => s.ok).length;
    console.log(
      `  ${k.padEnd(34)} ${String(ok).padStart(4)}/${String(list.length).padEnd(4)} ${pct(ok, list.length)}`,
    );
  }
}

const ok = scored.filter((s) => s.ok).length;
const negatives = scored.filter((s) => s.entry.title === undefined);
const corruptAgree = scored.filter(
  (s) => s.entry.title !== undefined && s.gotCorrupted === s.entry.corrupted,
).length;
console.log(`syzkaller corpus: ${dir}`);
console.log(
  `exact title (TITLE or ALT): ${ok}/${scored.length} = ${pct(ok, scored.length)}   (${ms.toFixed(0)} ms)`,
);
console.log(
  `no-crash negatives: ${negatives.filter((s) => s.ok).length}/${negatives.length} recognised as no crash`,
);
console.log(`corrupted flag agrees: ${corruptAgree}/${scored.length - negatives.length}`);
table('per family', (s) => familyOf(s.entry.title));
table('per TYPE', (s) => (s.entry.title === undefined ? '(no crash)' : (s.entry.type ?? '(UNKNOWN)')));
const misses = scored.filter((s) => !s.ok);
console.log(`\nmisses (${misses.length}):`);
for (const s of misses) {
  console.log(`  ${s.entry.name.padStart(5)}  expected: ${s.entry.title ?? '(no crash)'}`);
  console.log(`         got:      ${s.got || '(no crash)'}`);
}

/**
 * `npm run eval:analyzers`: what the lock analyzers say over real console logs — the syzkaller
 * corpus (where almost nothing spins on a lock: most findings there are false positives to review)
 * and the lab's logs (where the scenarios say what spins on what). Prints the count of findings by
 * id per input set, the files with spinner/lock/holder/cycle findings and a sample of their
 * messages, and the lab logs' stories. `--all` prints every such finding, `--id spin/busy-loop`
 * only that id's (any finding id works). `--dumps` adds the lab's vmcores (../labdata/corpus/*\/vmcore,
 * a second or so each): their spinners, locks, holders and stories.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { diagnose } from '../src/analyze/diagnose.js';
import type { Diagnosis } from '../src/analyze/results.js';
import type { Finding } from '../src/analyze/types.js';
import { loadInput } from '../src/load/load.js';
import { parseConsoleLog } from '../src/text/console/index.js';
import { corpusDir, loadCorpus } from './corpus.js';
import { familyOf } from './score.js';

/** Finding ids worth a human look: what claims a CPU spins, a lock is contended or held, a cycle. */
const REVIEWED = /^(spin|locks)\//;

interface Run {
  name: string;
  d: Diagnosis;
}

const args = process.argv.slice(2);
const all = args.includes('--all');
const onlyId = args.includes('--id') ? args[args.indexOf('--id') + 1] : undefined;
const dumps = args.includes('--dumps');

function run(name: string, text: string): Run {
  const crash = parseConsoleLog(text, { path: name, format: 'console-log' });
  return { name, d: diagnose(crash) };
}

function labLogs(): { name: string; path: string }[] {
  const root = resolve(import.meta.dirname, '..');
  const dirs = [
    join(root, 'test', 'fixtures', 'lab'),
    process.env.KTRIAGE_LAB ?? join(root, '..', 'labdata'),
  ];
  const out: { name: string; path: string }[] = [];
  const seen = new Set<string>();
  for (const base of dirs) {
    const corpus = existsSync(join(base, 'corpus')) ? join(base, 'corpus') : base;
    if (!existsSync(corpus)) continue;
    for (const scenario of readdirSync(corpus).sort()) {
      for (const file of ['vmcore-dmesg.txt', 'console.log']) {
        const path = join(corpus, scenario, file);
        const name = `${scenario}/${file}`;
        if (seen.has(name) || !existsSync(path)) continue;
        seen.add(name);
        out.push({ name, path });
      }
    }
  }
  return out;
}

function reviewed(d: Diagnosis): Finding[] {
  return d.findings.filter((f) => (onlyId ? f.id === onlyId : REVIEWED.test(f.id)));
}

function report(label: string, runs: Run[], stories: boolean): void {
  const byId = new Map<string, { findings: number; files: Set<string> }>();
  for (const r of runs)
    for (const f of r.d.findings) {
      const e = byId.get(f.id) ?? { findings: 0, files: new Set<string>() };
      e.findings++;
      e.files.add(r.name);
      byId.set(f.id, e);
    }
  const flagged = runs.filter((r) => reviewed(r.d).length > 0);
  console.log(`\n== ${label}: ${runs.length} logs, ${flagged.length} with spin/locks findings`);
  for (const [id, e] of [...byId].sort((a, b) => a[0].localeCompare(b[0])))
    console.log(`  ${id.padEnd(28)} ${String(e.findings).padStart(5)} findings in ${e.files.size} logs`);
  const sample = all || onlyId ? flagged : flagged.slice(0, 12);
  if (sample.length) console.log(`\n  ${all || onlyId ? 'all' : 'sample of'} flagged logs:`);
  for (const r of sample) {
    console.log(`  ${r.name}  [${r.d.classification.title}]`);
    for (const f of reviewed(r.d)) console.log(`      ${f.id}: ${f.message.slice(0, 220)}`);
  }
  if (stories)
    for (const r of runs) if (r.d.story) console.log(`\n  ${r.name} story: ${r.d.story.slice(0, 900)}`);
}

/** Per family of expected title: how many logs got a spinner / lock finding (lockups should, oopses not). */
function byFamily(runs: Run[], titles: Map<string, string | undefined>): void {
  const families = new Map<string, { logs: number; spin: number; locks: number }>();
  for (const r of runs) {
    const f = familyOf(titles.get(r.name));
    const e = families.get(f) ?? { logs: 0, spin: 0, locks: 0 };
    e.logs++;
    if (r.d.spinners.length) e.spin++;
    if (r.d.locks.length) e.locks++;
    families.set(f, e);
  }
  console.log('\n  per family of expected title: logs, with spinners, with locks');
  for (const [f, e] of [...families].sort((a, b) => b[1].logs - a[1].logs))
    console.log(
      `  ${f.padEnd(14)} ${String(e.logs).padStart(4)} ${String(e.spin).padStart(5)} ${String(e.locks).padStart(5)}`,
    );
}

const dir = corpusDir();
if (dir) {
  const entries = loadCorpus(dir);
  const runs = entries.map((e) => run(e.name, e.log));
  report(`syzkaller corpus (${dir})`, runs, false);
  byFamily(runs, new Map(entries.map((e) => [e.name, e.title])));
} else console.log('syzkaller corpus not found: skipped');
const lab = labLogs();
report(
  'lab logs',
  lab.map((l) => run(l.name, readFileSync(l.path, 'utf8'))),
  !onlyId,
);

if (dumps) {
  const corpus = join(
    process.env.KTRIAGE_LAB ?? join(resolve(import.meta.dirname, '..'), '..', 'labdata'),
    'corpus',
  );
  const runs: Run[] = [];
  for (const scenario of existsSync(corpus) ? readdirSync(corpus).sort() : []) {
    const path = join(corpus, scenario, 'vmcore');
    if (!existsSync(path)) continue;
    runs.push({ name: `${scenario}/vmcore`, d: diagnose(await loadInput(path)) });
  }
  report('lab vmcores', runs, true);
}

/** Scores ktriage's classification against the corpus' expected titles. */

import { classify } from '../src/analyze/classify/index.js';
import { AnalysisRun } from '../src/analyze/engine.js';
import { parseConsoleLog } from '../src/text/console/index.js';
import type { CorpusEntry } from './corpus.js';

export interface Scored {
  entry: CorpusEntry;
  got: string;
  gotCorrupted: boolean;
  ok: boolean;
}

export function scoreEntry(entry: CorpusEntry): Scored {
  const crash = parseConsoleLog(entry.log, { path: entry.name, format: 'console-log' });
  const c = new AnalysisRun(crash).get(classify);
  const got = c.kind === 'none' ? '' : c.title;
  const expected = entry.title ?? '';
  const ok = got === expected || (expected !== '' && entry.alts.includes(got));
  return { entry, got, gotCorrupted: c.corrupted, ok };
}

/** Coarse family of an expected title, for per-family figures. */
export function familyOf(title: string | undefined): string {
  if (title === undefined) return '(no crash)';
  const families: [RegExp, string][] = [
    [/^INFO: rcu detected stall/, 'rcu-stall'],
    [/^INFO: task (hung|can't die)/, 'hung-task'],
    [/^BUG: soft lockup/, 'soft-lockup'],
    [/^(possible deadlock|inconsistent lock state)/, 'lockdep'],
    [/^general protection fault/, 'gpf'],
    [/^BUG: unable to handle kernel NULL/, 'null-deref'],
    [/^BUG: unable to handle/, 'paging-fault'],
    [/^KASAN/, 'kasan'],
    [/^KMSAN/, 'kmsan'],
    [/^KFENCE/, 'kfence'],
    [/^KCSAN/, 'kcsan'],
    [/^UBSAN/, 'ubsan'],
    [/^memory leak/, 'kmemleak'],
    [/^WARNING/, 'warning'],
    [/^kernel BUG/, 'bug'],
    [/^BUG:/, 'bug-other'],
    [/^INFO:/, 'info-other'],
    [/^kernel panic|^Kernel panic/, 'panic'],
  ];
  for (const [re, family] of families) if (re.test(title)) return family;
  return 'other';
}

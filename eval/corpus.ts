/**
 * The syzkaller Linux report corpus (format: its FORMAT.md): each file is `KEY: value` header lines,
 * an empty line, the console log, and optionally an empty line + `REPORT:` + the extracted report.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CorpusEntry {
  name: string;
  title?: string;
  alts: string[];
  type?: string;
  corrupted: boolean;
  log: string;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** ../shared's copy first (KTRIAGE_SHARED overrides), then the project's fixture copy. */
export function corpusDir(): string | undefined {
  const candidates = [
    process.env.KTRIAGE_SHARED && join(process.env.KTRIAGE_SHARED, 'corpus', 'syzkaller-linux-report'),
    join(root, '..', 'shared', 'corpus', 'syzkaller-linux-report'),
    join(root, 'test', 'fixtures', 'syzkaller'),
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return candidates.find((p) => existsSync(join(p, 'FORMAT.md')));
}

export function parseCorpusFile(name: string, raw: string): CorpusEntry {
  const text = raw.replaceAll('\r', '');
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  let log = blank < 0 ? '' : text.slice(blank + 2);
  const report = log.indexOf('\n\nREPORT:\n');
  if (report >= 0) log = log.slice(0, report + 1);
  else if (log.startsWith('REPORT:\n')) log = '';
  const entry: CorpusEntry = { name, alts: [], corrupted: false, log };
  for (const line of head.split('\n')) {
    if (line.startsWith('#')) continue;
    const colon = line.indexOf(': ');
    const key = colon < 0 ? line.replace(/:$/, '') : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 2);
    if (key === 'TITLE') entry.title = value;
    else if (key === 'ALT') entry.alts.push(value);
    else if (key === 'TYPE') entry.type = value;
    else if (key === 'CORRUPTED') entry.corrupted = value === 'Y';
  }
  return entry;
}

export function loadCorpus(dir: string): CorpusEntry[] {
  return readdirSync(dir)
    .filter((f) => /^[0-9]+$/.test(f))
    .sort((a, b) => Number(a) - Number(b))
    .map((f) => parseCorpusFile(f, readFileSync(join(dir, f), 'latin1')));
}

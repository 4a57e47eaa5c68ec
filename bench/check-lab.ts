/**
 * `ktriage log` and `ktriage sys` on every dump of the lab, in every format, against the crash
 * outputs of the same dump (`crash/log.txt`, `crash/sys.txt`): a table of results, the "done
 * when" check of issue 4. Lines are compared after whitespace normalisation; sys field by field
 * (only the fields ktriage prints; DUMPFILE by its [PARTIAL DUMP] mark).
 *
 *   npx tsx bench/check-lab.ts [LABDIR]     (default: the lab data test/helpers/lab.ts finds)
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderLog } from '../src/cli/commands/log.js';
import { renderSys } from '../src/cli/commands/sys.js';
import { labDir, labDumpFiles, sysFields } from '../test/helpers/lab.js';
import { parseArgs } from './lib/args.js';

const FORMATS = [...labDumpFiles, 'vmcore.elf-full'];
const CRASH_ONLY = new Set(['KERNEL', 'TASKS']);
const OURS_ONLY = new Set(['PID', 'COMMAND', 'CPU', 'DUMP TYPE']);

const norm = (s: string): string[] =>
  s
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean);

function checkLog(vmcore: string, reference: string): string {
  const ours = norm(renderLog(vmcore, {}));
  const theirs = norm(readFileSync(reference, 'utf8'));
  if (ours.length === theirs.length && ours.every((l, i) => l === theirs[i])) return `same (${ours.length})`;
  const first = ours.findIndex((l, i) => l !== theirs[i]);
  return `DIFF at line ${first + 1} (${ours.length} vs ${theirs.length})`;
}

function checkSys(vmcore: string, reference: string, elf: boolean): string {
  const ours = sysFields(renderSys(vmcore, { tz: 'UTC' }));
  const theirs = sysFields(readFileSync(reference, 'utf8'));
  const bad: string[] = [];
  let agreed = 0;
  for (const [key, value] of ours) {
    if (OURS_ONLY.has(key)) continue;
    const other = theirs.get(key);
    // crash marks a filtered kdump dump [PARTIAL DUMP]; an ELF dump (no dump level) never.
    const partial = (other ?? '').endsWith('[PARTIAL DUMP]') && !elf;
    const same = key === 'DUMPFILE' ? value.endsWith('[PARTIAL DUMP]') === partial : value === other;
    if (same) agreed++;
    else bad.push(`${key}: "${value}" vs "${other}"`);
  }
  const missing = [...theirs.keys()].filter((k) => !ours.has(k) && !CRASH_ONLY.has(k));
  return bad.length
    ? `DIFF ${bad.join('; ')}`
    : `${agreed} fields agree${missing.length ? ` (not printed: ${missing.join(', ')})` : ''}`;
}

const root = parseArgs(process.argv.slice(2), { runs: 1 }).positional[0] ?? labDir();
if (!root) {
  console.error('no lab data (KTRIAGE_LAB, lab/out, ../labdata)');
  process.exit(2);
}
const dirs = ['corpus', 'big'].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group))
        .filter((d) => existsSync(join(root, group, d, 'crash', 'log.txt')))
        .map((d) => join(root, group, d))
    : [],
);
for (const dir of dirs) {
  for (const format of FORMATS) {
    const vmcore = join(dir, format);
    if (!existsSync(vmcore)) continue;
    const t0 = performance.now();
    let log: string;
    let sys: string;
    try {
      log = checkLog(vmcore, join(dir, 'crash', 'log.txt'));
      sys = checkSys(vmcore, join(dir, 'crash', 'sys.txt'), format.includes('elf'));
    } catch (error) {
      log = sys = `ERROR ${(error as Error).message}`;
    }
    const ms = (performance.now() - t0).toFixed(0);
    console.log(
      `${dir.split('/').slice(-1)[0]!.padEnd(24)} ${format.padEnd(20)} log: ${log.padEnd(22)} sys: ${sys}  [${ms} ms]`,
    );
  }
}

/**
 * Locates the lab's generated dumps (`lab/` writes them outside git: every scenario of
 * `../shared/lab` in every format, plus the multi-GB "big" dumps; see docs/lab.md). Tests that
 * need them skip with a message when they are absent, like `../shared`.
 * Looked up in order: KTRIAGE_LAB, `lab/out` in the repo (lab/install-for-tests.sh links or copies
 * it there), `../labdata` beside the project (the team's /work/labdata).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './shared.js';

/** File names of one dump in each format inside `corpus/<scenario>/` (docs/lab.md). */
export const labFormats = {
  kdumpZlib: 'vmcore',
  kdumpLzo: 'vmcore.kdump-lzo',
  kdumpZstd: 'vmcore.kdump-zstd',
  kdumpSnappy: 'vmcore.kdump-snappy',
  /** kdump format without compression: pages stored raw, zero pages share one copy */
  kdumpRaw: 'vmcore.kdump-raw',
  flattened: 'vmcore.flat',
  elf: 'vmcore.elf',
} as const;

/**
 * The files the lab writes one scenario's dump as, in each format (`vmcore.kdump-zlib` is the copy
 * of `vmcore`); the "big" guests also have `vmcore.elf-full`, the unfiltered ELF.
 */
export const labDumpFiles = [
  'vmcore.kdump-zlib',
  'vmcore.kdump-lzo',
  'vmcore.kdump-zstd',
  'vmcore.kdump-snappy',
  'vmcore.kdump-raw',
  'vmcore.flat',
  'vmcore.elf',
] as const;

/** The `KEY: value` lines of crash's `sys` (and of `ktriage sys`), by key. */
export function sysFields(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z][A-Z ]*): (.*)$/.exec(line);
    if (m) map.set(m[1]!, m[2]!.trim());
  }
  return map;
}

export function labDir(): string | undefined {
  const candidates = [
    process.env.KTRIAGE_LAB,
    join(repoRoot, 'lab', 'out'),
    join(repoRoot, '..', 'labdata'),
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return candidates.find((p) => existsSync(join(p, 'corpus')));
}

/** Path inside the lab data, or undefined (and a one-time note on stderr) when it is not there. */
export function labPath(...parts: string[]): string | undefined {
  const dir = labDir();
  if (!dir) {
    if (!warned) {
      warned = true;
      console.warn(
        '[ktriage tests] lab data (KTRIAGE_LAB, lab/out, ../labdata) is absent: tests that need it are skipped',
      );
    }
    return undefined;
  }
  const p = join(dir, ...parts);
  return existsSync(p) ? p : undefined;
}
let warned = false;

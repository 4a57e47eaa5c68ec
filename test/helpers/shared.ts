/**
 * Locates `../shared` (the corpus, lab and seed kept beside the project). Tests that need it skip
 * with a message when it is absent: a fresh clone of the project alone must pass its tests.
 * KTRIAGE_SHARED overrides the location.
 */

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function sharedDir(): string | undefined {
  const candidates = [process.env.KTRIAGE_SHARED, join(repoRoot, '..', 'shared')].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
  return candidates.find((p) => existsSync(join(p, 'README.md')));
}

/** Path inside ../shared, or undefined (and a one-time note on stderr) when it is not there. */
export function sharedPath(...parts: string[]): string | undefined {
  const dir = sharedDir();
  if (!dir) {
    if (!warned) {
      warned = true;
      console.warn('[ktriage tests] ../shared is absent: tests that need it are skipped');
    }
    return undefined;
  }
  const p = join(dir, ...parts);
  return existsSync(p) ? p : undefined;
}
let warned = false;

export function fixture(...parts: string[]): string {
  return join(repoRoot, 'test', 'fixtures', ...parts);
}

/** Runs the CLI from source (through tsx), the way a user runs `ktriage`, and captures everything. */

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from './shared.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...args],
    {
      cwd: repoRoot,
      input: options.input ?? '',
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: 120_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** One `ktriage:` line on stderr matching `pattern`, no stack trace, the given exit code. */
export function expectCleanFailure(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.status).toBe(code);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ktriage: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneLineUsageError } from '../../src/cli/usage-errors.js';
import { EXIT } from '../../src/errors.js';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';

const dump = join(repoRoot, 'examples', 'pagelock-smp8.vmcore');

describe('usage errors are one ktriage: line naming the help to read', () => {
  it("commander's two-line messages become one", () => {
    expect(oneLineUsageError("error: unknown option '--jsn'\n(Did you mean --json?)\n", 'analyze')).toBe(
      "ktriage: unknown option '--jsn' (Did you mean --json?) (see `ktriage analyze --help`)\n",
    );
  });

  it('an unknown command', () => {
    expectCleanFailure(runCli(['frobnicate']), EXIT.usage, /unknown command 'frobnicate'.*ktriage --help/);
  });

  it('an unknown option names the command', () => {
    expectCleanFailure(
      runCli(['analyze', '--frobnicate', 'x']),
      EXIT.usage,
      /unknown option.*ktriage analyze --help/,
    );
  });

  it('bt without arguments asks for the vmcore', () => {
    expectCleanFailure(runCli(['bt']), EXIT.usage, /missing required argument 'vmcore'/);
  });

  it('an unknown --tz is a usage error, not an internal one', () => {
    expectCleanFailure(
      runCli(['log', '-T', '--tz', 'Mars/Olympus', dump]),
      EXIT.usage,
      /--tz Mars\/Olympus: unknown time zone/,
    );
  });
});

describe('dump commands and standard input', () => {
  it('log - says a vmcore needs a path and points at analyze -', () => {
    expectCleanFailure(
      runCli(['log', '-']),
      EXIT.usage,
      /standard input \(-\): a vmcore .* needs a file path/,
    );
  });
});

describe('ps and bt take the PID and the dump in either order', () => {
  it('ps PID VMCORE lists that task', () => {
    const result = runCli(['ps', '150', dump]);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
    expect(result.stdout).toMatch(/^\s+150\s+148\s.*lab_rw$/m);
  });

  it('bt VMCORE PID unwinds that task', () => {
    const result = runCli(['bt', dump, '150']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^PID: 150 /);
  });

  it('a PID that is not in the dump is missing data, not a missing file', () => {
    expectCleanFailure(runCli(['bt', '99999', dump]), EXIT.missingData, /bt: no task 99999 in this dump/);
    expectCleanFailure(runCli(['ps', dump, '99999']), EXIT.missingData, /ps: no task 99999 in this dump/);
  });
});

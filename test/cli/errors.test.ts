import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { fixture, repoRoot } from '../helpers/shared.js';

const scratch = mkdtempSync(join(tmpdir(), 'ktriage-cli-'));

describe('ktriage analyze: bad input gets one line and a distinct exit code', () => {
  it('missing file', () => {
    expectCleanFailure(runCli(['analyze', join(scratch, 'nope.log')]), EXIT.notFound, /no such file/);
  });

  it('a directory', () => {
    expectCleanFailure(runCli(['analyze', scratch]), EXIT.notAFile, /is a directory/);
  });

  it('an empty file', () => {
    const empty = join(scratch, 'empty.log');
    writeFileSync(empty, '');
    expectCleanFailure(runCli(['analyze', empty]), EXIT.empty, /empty/);
  });

  it('binary garbage', () => {
    const garbage = join(scratch, 'garbage.bin');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 2654435761) >>> 24)));
    expectCleanFailure(runCli(['analyze', garbage]), EXIT.unrecognised, /not a kernel log/);
  });

  it('a gzip-compressed file gets advice, not garbage', () => {
    expectCleanFailure(
      runCli(['analyze', fixture('lab', 'kernel', 'System.map-6.1.0-56-amd64.gz')]),
      EXIT.unsupported,
      /gzip-compressed; decompress it first/,
    );
  });

  it('an unknown option is a usage error', () => {
    const result = runCli(['analyze', '--frobnicate', 'x']);
    expect(result.status).toBe(EXIT.usage);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('bt -f and -t together are a usage error, in one line', () => {
    expectCleanFailure(
      runCli(['bt', '-t', '-f', join(repoRoot, 'examples', 'pagelock-smp8.vmcore')]),
      EXIT.usage,
      /-f and -t cannot be combined/,
    );
  });

  it('a log with no crash is not an error: kind none, exit 0', () => {
    const quiet = join(scratch, 'boot.log');
    writeFileSync(
      quiet,
      '[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)\n[    0.100000] Command line: console=ttyS0\n',
    );
    const result = runCli(['analyze', '--json', quiet]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).kind).toBe('none');
  });

  it('a batch goes on past a bad file and ends with its exit code', () => {
    const good = fixture('lab', 'mutex-hung', 'vmcore-dmesg.txt');
    const result = runCli(['analyze', '--json', join(scratch, 'missing.log'), good]);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0].error.exitCode).toBe(EXIT.notFound);
    expect(lines[1].kind).toBe('hung-task');
    expect(result.status).toBe(EXIT.notFound);
  });

  it('reads standard input with -', () => {
    const result = runCli(['analyze', '--json', '-'], {
      input: '[  1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\n',
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).kind).toBe('null-deref');
  });
});

describe('mix-ups and output errors', () => {
  it('a dump command given a log says so and points at analyze', () => {
    const log = join(repoRoot, 'examples', 'oom-panic.vmcore-dmesg.txt');
    expectCleanFailure(runCli(['ps', log]), EXIT.unrecognised, /a text file, not a vmcore .*ktriage analyze/);
  });

  it('an output file in a folder that does not exist is an I/O error, not an internal one', () => {
    const log = join(repoRoot, 'examples', 'oom-panic.vmcore-dmesg.txt');
    const out = join(scratch, 'no-such-folder', 'report.html');
    expectCleanFailure(runCli(['analyze', '--html', '-o', out, log]), EXIT.io, /no such file or directory/);
  });
});

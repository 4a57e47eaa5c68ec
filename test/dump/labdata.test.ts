/**
 * The lab's generated dumps (../labdata via test/helpers/lab.ts; skipped when absent): one
 * scenario in every format the lab makes — kdump zlib/LZO/zstd/snappy/raw written by makedumpfile
 * (1.7.2, and 1.7.9 for zstd/snappy), flattened, ELF — must print crash's log and sys; the lab's
 * damaged dumps must give what can be read and a clear message for the rest.
 * bench/check-lab.ts runs the same check over every scenario.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderLog } from '../../src/cli/commands/log.js';
import { renderSys } from '../../src/cli/commands/sys.js';
import { readDump } from '../../src/load/dump-read.js';
import { runCli } from '../helpers/cli.js';
import { labDumpFiles, labPath } from '../helpers/lab.js';

describe.each(labDumpFiles)('lab mutex-hung as %s', (format) => {
  const vmcore = labPath('corpus', 'mutex-hung', format);
  const crashDir = labPath('corpus', 'mutex-hung', 'crash');
  it.skipIf(!vmcore || !crashDir)("prints crash's log and sys", () => {
    expect(renderLog(vmcore!, {})).toBe(readFileSync(`${crashDir}/log.txt`, 'utf8'));
    const ours = renderSys(vmcore!, { tz: 'UTC' });
    const theirs = readFileSync(`${crashDir}/sys.txt`, 'utf8');
    for (const key of [
      'CPUS',
      'DATE',
      'UPTIME',
      'LOAD AVERAGE',
      'NODENAME',
      'RELEASE',
      'VERSION',
      'MACHINE',
      'MEMORY',
      'PANIC',
    ]) {
      const line = (text: string) => text.split('\n').find((l) => l.trim().startsWith(`${key}:`));
      expect(line(ours)).toBe(line(theirs));
    }
  });
});

describe('damaged lab dumps', () => {
  const kdump = labPath('damaged', 'softlockup.kdump-zlib-incomplete');
  const elf = labPath('damaged', 'softlockup.elf-incomplete');
  const intactLog = labPath('corpus', 'softlockup', 'crash', 'log.txt');

  it.skipIf(!kdump)('incomplete kdump: the header facts, and the lost log page named', () => {
    const sys = renderSys(kdump!, { tz: 'UTC' });
    expect(sys).toMatch(/RELEASE: 6\.1\.0-56-amd64/);
    expect(sys).toMatch(/INCOMPLETE/);
    const { crash } = readDump(kdump!);
    expect(crash.log).toEqual([]);
    const gap = crash.gaps.find((g) => g.what === 'kernel log');
    expect(gap?.why).toMatch(/lost \(incomplete dump\)/);
  });

  it.skipIf(!kdump)('incomplete kdump: analyze does not call a dump whose log was lost crash-free', () => {
    const out = runCli(['analyze', '--no-color', kdump!]);
    expect(out.status).toBe(0);
    expect(out.stdout.split('\n')[0]).toMatch(/No crash report could be read: the kernel log is missing/);
    expect(out.stdout).not.toMatch(/No crash found/);
  });

  it.skipIf(!elf || !intactLog)('incomplete ELF (file cut inside a PT_LOAD): the whole log survives', () => {
    expect(renderLog(elf!, {})).toBe(readFileSync(intactLog!, 'utf8'));
    expect(renderSys(elf!, { tz: 'UTC' })).toMatch(/DUMP TYPE: ELF, INCOMPLETE/);
  });
});

/**
 * A fresh clone's dump tests: test/fixtures/dump/mutex-hung-mini.vmcore is the lab's real
 * mutex-hung dump shrunk to the pages log/sys read (test/tools/shrink-dump.ts). Its log must be
 * crash's log of the full dump; re-packed into every container and compression we read (with the
 * same test/tools writer), it must still read the same.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderLog } from '../../src/cli/commands/log.js';
import { openDump } from '../../src/dump/open.js';
import { BufferSource } from '../../src/io/buffer-source.js';
import { FileSource } from '../../src/io/file-source.js';
import { formatLog } from '../../src/kernel/printk/format.js';
import { readKernelLog } from '../../src/kernel/printk/index.js';
import { loadDump } from '../../src/load/dump.js';
import { openKernelDump } from '../../src/load/dump-open.js';
import { fixture } from '../helpers/shared.js';
import { type DumpContent, toFlattened, writeElf, writeKdump } from '../tools/dump-writer.js';
import { shrinkDump } from '../tools/shrink-dump.js';

const MINI = fixture('dump', 'mutex-hung-mini.vmcore');
const LZO_PAGES = fixture('dump', 'mutex-hung-lzo-pages.vmcore');
const crashLog = readFileSync(fixture('lab', 'mutex-hung', 'crash', 'log.txt'), 'utf8');

function logOf(bytes: Uint8Array, name: string): string {
  const kd = openKernelDump(new BufferSource(bytes, name));
  return `${formatLog(readKernelLog(kd.kernel, kd.vmcoreinfo).records).join('\n')}\n`;
}

describe('the mini mutex-hung dump', () => {
  it('prints the log crash printed for the full dump', () => {
    expect(renderLog(MINI, {})).toBe(crashLog);
  });

  it('becomes a Crash with system facts, CPUs and memory', () => {
    const crash = loadDump(MINI, { timeZone: 'UTC' });
    expect(crash.input.format).toBe('vmcore-kdump');
    expect(crash.system.release).toBe('6.1.0-56-amd64');
    expect(crash.system.panic).toBe('Kernel panic - not syncing: hung_task: blocked tasks');
    // crash's bt -a shows khungtaskd (pid 38) on CPU 2 for this dump; the log says the same.
    expect(crash.system.panicCpu).toBe(2);
    expect(crash.cpus[2]?.pid).toBe(38);
    expect(crash.cpus).toHaveLength(4);
    expect(crash.log.length).toBe(crashLog.trimEnd().split('\n').length);
    expect(crash.log[0]?.line).toBe(1);
    const uts = crash.memory?.read(0xffffffff835fb000n + 0n, 1); // not mapped in the mini dump
    expect(uts === undefined || uts.length === 1).toBe(true);
  });

  describe('re-packed into every container and compression', () => {
    let content: DumpContent | undefined;
    const get = (): DumpContent => {
      content ??= shrinkDump(MINI);
      return content;
    };
    const variants: [string, () => Uint8Array][] = [
      ['kdump zlib', () => writeKdump(get(), 'zlib')],
      ['kdump snappy', () => writeKdump(get(), 'snappy')],
      ['kdump zstd', () => writeKdump(get(), 'zstd')],
      ['kdump uncompressed', () => writeKdump(get(), 'none')],
      ['ELF', () => writeElf(get())],
      ['flattened kdump', () => toFlattened(writeKdump(get(), 'zlib'), 40000)],
      ['flattened ELF', () => toFlattened(writeElf(get()))],
    ];
    it.each(variants)('%s', (name, make) => {
      const bytes = make();
      expect(logOf(bytes, name)).toBe(crashLog);
      const dump = openDump(new BufferSource(bytes, name));
      expect(dump.notes.prstatus).toHaveLength(4);
    });
  });

  it('decompresses real LZO pages (makedumpfile -l) to the same bytes as the zlib dump', () => {
    const lzo = openDump(new FileSource(LZO_PAGES));
    const zlib = openDump(new FileSource(MINI));
    expect(lzo.info.compression).toEqual(['lzo']);
    let compared = 0;
    for (let pfn = 0n; pfn < lzo.physical.maxPfn; pfn++) {
      if (lzo.physical.pageState(pfn) !== 'present') continue;
      expect(lzo.physical.readPage(pfn)).toEqual(zlib.physical.readPage(pfn));
      compared++;
    }
    expect(compared).toBe(28);
  });
});

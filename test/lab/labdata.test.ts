/**
 * The lab's generated dumps are what the dump/kernel/unwind tests read: check that every scenario
 * has every format and that each file really is what its name says (signature, compression flag
 * in the kdump header's status word, dump level), so a mislabelled file fails here and not as a
 * puzzling reader bug. Skips when the lab data is absent.
 */

import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labFormats, labPath } from '../helpers/lab.js';

function head(path: string, length: number, position = 0): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, position);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

// disk_dump_header.status bits (makedumpfile diskdump_mod.h: DUMP_DH_COMPRESSED_*)
const statusBit = {
  kdumpZlib: 0x1,
  kdumpLzo: 0x2,
  kdumpSnappy: 0x4,
  kdumpZstd: 0x20,
  kdumpRaw: 0,
} as const;

const corpus = labPath('corpus');
const scenarios = corpus
  ? readdirSync(corpus, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'kernel')
      .map((d) => d.name)
      // formats.txt is written last (lab/formats.sh): an entry without it is still being made
      .filter((s) => existsSync(join(corpus, s, 'formats.txt')))
  : [];

describe.skipIf(!corpus)('lab data: every scenario in every format', () => {
  it('has the scenarios of ../shared/lab', () => {
    for (const s of ['softlockup', 'mutex-hung', 'sysrq-c', 'abba-spinlock-irqoff']) {
      expect(scenarios).toContain(s);
    }
  });

  for (const s of scenarios) {
    it(`${s}: each format file is what its name says`, () => {
      const dir = join(corpus as string, s);
      for (const [kind, bit] of Object.entries(statusBit)) {
        const file = join(dir, labFormats[kind as keyof typeof statusBit]);
        const h = head(file, 4096 + 16);
        expect(h.subarray(0, 8).toString('latin1'), file).toBe('KDUMP   ');
        expect(h.readInt32LE(8), `${file} header_version`).toBe(6);
        expect(h.readInt32LE(424) & 0x27, `${file} compression bits`).toBe(bit);
        const blockSize = h.readInt32LE(428);
        expect(head(file, 4, blockSize + 8).readInt32LE(0), `${file} dump_level`).toBe(31);
      }
      const flat = head(join(dir, labFormats.flattened), 4096 + 16);
      expect(flat.subarray(0, 12).toString('latin1')).toBe('makedumpfile');
      // the first record after the 4 KiB header is big-endian {offset, size}: the kdump header at 0
      expect(flat.readBigInt64BE(4096)).toBe(0n);
      const elf = head(join(dir, labFormats.elf), 64);
      expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(elf[4], 'ELFCLASS64').toBe(2);
      expect(elf.readUInt16LE(16), 'ET_CORE').toBe(4);
      expect(elf.readUInt16LE(18), 'EM_X86_64').toBe(62);
    });
  }
});

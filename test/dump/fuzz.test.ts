/**
 * Property tests of the container parsers on mutated real dumps (the mini mutex-hung fixture, in
 * each container): whatever bytes a damaged file holds, opening it and reading its log ends with
 * a result or a KtriageError — never another exception, a hang or an allocation sized by a field.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DumpBitmap } from '../../src/dump/bitmap.js';
import { decompressPage } from '../../src/dump/decompress.js';
import { LzoError, lzo1xDecompress } from '../../src/dump/lzo1x.js';
import { interpretNotes } from '../../src/dump/notes.js';
import { KtriageError } from '../../src/errors.js';
import { BufferSource } from '../../src/io/buffer-source.js';
import { readKernelLog } from '../../src/kernel/printk/index.js';
import { openKernelDump } from '../../src/load/dump-open.js';
import { fixture } from '../helpers/shared.js';
import { toFlattened, writeElf } from '../tools/dump-writer.js';
import { shrinkDump } from '../tools/shrink-dump.js';

const MINI = fixture('dump', 'mutex-hung-mini.vmcore');
const kdump = new Uint8Array(readFileSync(MINI));
const content = shrinkDump(MINI);
const elf = writeElf(content);
const flat = toFlattened(kdump, 30000);

function openAndRead(bytes: Uint8Array): void {
  try {
    const kd = openKernelDump(new BufferSource(bytes, 'fuzzed'));
    readKernelLog(kd.kernel, kd.vmcoreinfo);
  } catch (error) {
    if (!(error instanceof KtriageError)) throw error;
  }
}

/** Edits biased towards the structures: most land in the first `hot` bytes (headers, bitmaps, descriptors, notes). */
const edits = (size: number, hot: number) =>
  fc.array(
    fc.tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.nat(Math.min(hot, size) - 1) },
        { weight: 1, arbitrary: fc.nat(size - 1) },
      ),
      fc.oneof(fc.nat(255), fc.constantFrom(0, 0xff, 0x7f, 0x80)),
    ),
    { minLength: 1, maxLength: 24 },
  );

function mutate(bytes: Uint8Array, changes: [number, number][]): Uint8Array {
  const out = bytes.slice();
  for (const [at, value] of changes) out[at] = value;
  return out;
}

describe.each([
  ['kdump-compressed', kdump, 64 * 1024],
  ['ELF', elf, 8 * 1024],
  ['flattened', flat, 64 * 1024],
])('mutated %s dump', (_name, bytes, hot) => {
  it('gives a result or a KtriageError', () => {
    fc.assert(
      fc.property(edits(bytes.length, hot), (changes) => openAndRead(mutate(bytes, changes))),
      { numRuns: 150 },
    );
  });

  it('gives a KtriageError when truncated anywhere', () => {
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), (length) => openAndRead(bytes.subarray(0, length))),
      { numRuns: 60 },
    );
  });
});

describe('parsers on arbitrary bytes', () => {
  it('notes: result or KtriageError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (area) => {
        try {
          interpretNotes(area);
        } catch (error) {
          expect(error).toBeInstanceOf(KtriageError);
        }
      }),
    );
  });

  it('page decompression: a page or a KtriageError, for every method', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('zlib', 'lzo', 'snappy', 'zstd') as fc.Arbitrary<'zlib' | 'lzo' | 'snappy' | 'zstd'>,
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        (method, data) => {
          try {
            expect(decompressPage(method, data, 4096, { pfn: 1n, offset: 0 })).toHaveLength(4096);
          } catch (error) {
            expect(error).toBeInstanceOf(KtriageError);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a Snappy literal with a 4-byte length of 2^32 is refused (snappyjs alone would loop forever)', () => {
    const stream = new Uint8Array([0x80, 0x20, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x41]);
    expect(() => decompressPage('snappy', stream, 4096, { pfn: 7n, offset: 0x1000 })).toThrow(KtriageError);
  });

  it('LZO1X never writes past its output or reads past its input', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 8192 }),
        (data, size) => {
          try {
            expect(lzo1xDecompress(data, size).length).toBeLessThanOrEqual(size);
          } catch (error) {
            expect(error).toBeInstanceOf(LzoError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('bitmap rank equals a naive count', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20000 }), fc.nat(), (bits, pick) => {
        const bitmap = new DumpBitmap(new BufferSource(bits), 0, bits.length);
        const pfn = BigInt(pick % (bits.length * 8));
        let naive = 0;
        for (let p = 0; p < Number(pfn); p++) naive += (bits[p >> 3]! >> (p & 7)) & 1;
        expect(bitmap.rank(pfn)).toBe(naive);
        expect(bitmap.isSet(pfn)).toBe(((bits[Number(pfn) >> 3]! >> Number(pfn & 7n)) & 1) === 1);
      }),
      { numRuns: 100 },
    );
  });
});

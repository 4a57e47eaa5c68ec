import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KtriageError } from '../../src/errors.js';
import { FileSource } from '../../src/io/file-source.js';
import { fixture } from '../helpers/shared.js';

// Any real file bigger than a few of FileSource's 64 KiB blocks, whose size is not a multiple of one.
const FILE = fixture('lab', 'kernel', 'System.map-6.1.0-56-amd64.gz');
const whole = readFileSync(FILE);

describe('FileSource', () => {
  it('returns the bytes of the file for any range, inside a block, across blocks, at the end', () => {
    expect(whole.length).toBeGreaterThan(3 * 64 * 1024);
    expect(whole.length % (64 * 1024)).not.toBe(0);
    const source = new FileSource(FILE);
    try {
      const range = fc
        .tuple(fc.nat({ max: whole.length }), fc.oneof(fc.nat({ max: 64 }), fc.nat({ max: 40_000 })))
        .map(([offset, length]) => [offset, Math.min(length, whole.length - offset)] as const);
      const edges = fc.constantFrom(
        [64 * 1024 - 8, 16] as const, // across a block boundary
        [whole.length - 5, 5] as const, // the last bytes, in a short last block
        [0, whole.length] as const, // one big read, past the block cache
        [128 * 1024, 0] as const,
      );
      fc.assert(
        fc.property(fc.oneof(range, edges), ([offset, length]) => {
          const got = source.read(offset, length);
          // Buffer.equals: vitest's toEqual walks a big typed array element by element.
          expect(Buffer.from(got).equals(whole.subarray(offset, offset + length))).toBe(true);
        }),
        { numRuns: 500 },
      );
    } finally {
      source.close();
    }
  });

  it('gives every caller its own bytes: writing to a result changes no later read', () => {
    const source = new FileSource(FILE);
    const first = source.read(100, 8);
    first.fill(0xaa);
    expect(source.read(100, 8)).toEqual(new Uint8Array(whole.subarray(100, 108)));
    source.close();
  });

  it('refuses reads past the end and after close with a KtriageError', () => {
    const source = new FileSource(FILE);
    expect(() => source.read(whole.length - 4, 8)).toThrow(KtriageError);
    source.close();
    expect(() => source.read(0, 8)).toThrow(KtriageError);
  });
});

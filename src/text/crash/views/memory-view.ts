/**
 * A MemoryView over the words a transcript printed: `rd` lines, `bt -f` frame words and, where the
 * address is known, struct members. Everything else reads as `undefined` (not printed), never 0.
 */

import type { Evidence, MemoryView } from '../../../model/index.js';

interface Origin {
  size: number;
  evidence: Evidence;
}

/** Reads longer than this are refused (a transcript never printed a megabyte of contiguous words). */
const MAX_READ = 1 << 20;

export class WordMemory implements MemoryView {
  private readonly bytes = new Map<bigint, number>();
  private readonly origins = new Map<bigint, Origin>();
  littleEndian = true;

  get wordCount(): number {
    return this.origins.size;
  }

  /** Records `size` bytes at `address` holding `value`; the first printing of an address wins. */
  addWord(address: bigint, value: bigint, size: number, evidence: Evidence): void {
    if (size <= 0 || size > 8) return;
    if (this.origins.has(address)) return;
    this.origins.set(address, { size, evidence: { ...evidence, address } });
    // Byte order is applied when reading, so store the value and the order it was printed in.
    for (let i = 0; i < size; i++) {
      const shift = BigInt(8 * i);
      this.bytes.set(address + BigInt(i), Number((value >> shift) & 0xffn));
    }
  }

  read(address: bigint, length: number): Uint8Array | undefined {
    if (!Number.isInteger(length) || length < 0 || length > MAX_READ) return undefined;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const b = this.byteAt(address + BigInt(i));
      if (b === undefined) return undefined;
      out[i] = b;
    }
    return out;
  }

  readU64(address: bigint): bigint | undefined {
    return this.readUnsigned(address, 8);
  }

  readU32(address: bigint): number | undefined {
    const v = this.readUnsigned(address, 4);
    return v === undefined ? undefined : Number(v);
  }

  describe(address: bigint): Evidence | undefined {
    for (let back = 0n; back < 8n; back++) {
      const origin = this.origins.get(address - back);
      if (origin && back < BigInt(origin.size)) return origin.evidence;
    }
    return undefined;
  }

  /** Words are stored as values; byte `i` of a word is its i-th least significant byte on little-endian. */
  private byteAt(address: bigint): number | undefined {
    if (this.littleEndian) return this.bytes.get(address);
    for (let back = 0n; back < 8n; back++) {
      const start = address - back;
      const origin = this.origins.get(start);
      if (origin && back < BigInt(origin.size))
        return this.bytes.get(start + BigInt(origin.size) - 1n - back);
    }
    return undefined;
  }

  private readUnsigned(address: bigint, size: number): bigint | undefined {
    const bytes = this.read(address, size);
    if (!bytes) return undefined;
    let v = 0n;
    for (let i = 0; i < size; i++) {
      const b = BigInt(bytes[this.littleEndian ? i : size - 1 - i]!);
      v |= b << BigInt(8 * i);
    }
    return v;
  }
}

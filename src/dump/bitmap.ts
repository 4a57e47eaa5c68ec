/**
 * The bitmaps of a kdump-compressed dump, read lazily in chunks. The second ("dumpable") bitmap
 * decides where a page's descriptor is: index = number of set bits before its PFN. Prefix counts
 * per chunk are computed once, on first need, up to the chunk asked for — so a lookup near PFN 0
 * never reads the bitmap of a 4 TiB machine, and no lookup scans more than one chunk.
 */

import type { ByteSource } from '../io/byte-source.js';
import { LruCache } from '../io/lru.js';

const CHUNK_BYTES = 4096; // 32768 PFNs per chunk
const COUNT_BATCH = 64; // chunks per read while counting (256 KiB)

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

export class DumpBitmap {
  /** prefix[c] = set bits in chunks 0..c-1; valid for c ≤ countedChunks. */
  private readonly prefix: Float64Array;
  private countedChunks = 0;
  private readonly chunks = new LruCache<number, { bits: Uint8Array; byteCounts: Uint16Array }>(64);
  readonly chunkCount: number;

  /** `offset`/`length`: the bitmap's bytes in the source; bit i = PFN i, LSB first. */
  constructor(
    private readonly source: ByteSource,
    private readonly offset: number,
    readonly length: number,
  ) {
    this.chunkCount = Math.ceil(length / CHUNK_BYTES);
    this.prefix = new Float64Array(this.chunkCount + 1);
  }

  /** One past the highest PFN the bitmap can describe. */
  get pfnLimit(): bigint {
    return BigInt(this.length) * 8n;
  }

  isSet(pfn: bigint): boolean {
    if (pfn < 0n || pfn >= this.pfnLimit) return false;
    const byte = Number(pfn >> 3n);
    const chunk = this.chunk(Math.floor(byte / CHUNK_BYTES));
    return ((chunk.bits[byte % CHUNK_BYTES]! >> Number(pfn & 7n)) & 1) === 1;
  }

  /** Number of set bits for PFNs below `pfn`. */
  rank(pfn: bigint): number {
    const byte = Number(pfn >> 3n);
    const c = Math.floor(byte / CHUNK_BYTES);
    this.countUpTo(c);
    const chunk = this.chunk(c);
    const inChunk = byte % CHUNK_BYTES;
    const partial = chunk.bits[inChunk]! & ((1 << Number(pfn & 7n)) - 1);
    return this.prefix[c]! + chunk.byteCounts[inChunk]! + POPCOUNT[partial]!;
  }

  /** Total set bits (reads the whole bitmap once). */
  total(): number {
    this.countUpTo(this.chunkCount);
    return this.prefix[this.chunkCount]!;
  }

  private countUpTo(c: number): void {
    // Counting needs no per-byte table: read many chunks per I/O and sum their bytes' popcounts.
    while (this.countedChunks < c) {
      const first = this.countedChunks;
      const n = Math.min(COUNT_BATCH, c - first);
      const start = first * CHUNK_BYTES;
      const bytes = this.source.read(this.offset + start, Math.min(n * CHUNK_BYTES, this.length - start));
      for (let k = 0; k < n; k++) {
        let sum = 0;
        const end = Math.min((k + 1) * CHUNK_BYTES, bytes.length);
        for (let i = k * CHUNK_BYTES; i < end; i++) sum += POPCOUNT[bytes[i]!]!;
        this.prefix[first + k + 1] = this.prefix[first + k]! + sum;
      }
      this.countedChunks += n;
    }
  }

  private chunk(c: number): { bits: Uint8Array; byteCounts: Uint16Array } {
    const cached = this.chunks.get(c);
    if (cached) return cached;
    const start = c * CHUNK_BYTES;
    const bits = this.source.read(this.offset + start, Math.min(CHUNK_BYTES, this.length - start));
    // byteCounts[i] = set bits in bytes 0..i-1 of this chunk.
    const byteCounts = new Uint16Array(bits.length);
    let running = 0;
    for (let i = 0; i < bits.length; i++) {
      byteCounts[i] = running;
      running += POPCOUNT[bits[i]!]!;
    }
    const entry = { bits, byteCounts };
    this.chunks.set(c, entry);
    return entry;
  }
}

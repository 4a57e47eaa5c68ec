/**
 * Little-endian random access to a table that lives either in an array (a vmlinux section, a test
 * fixture) or in a dump's kernel memory, read lazily a page at a time so that a lookup touches only
 * the pages it needs (an ORC table is ~4 MB; one unwind step reads ~2 pages of it). Public names:
 * TableBytes, ArrayTableBytes, MemoryTableBytes, TableBytesMissing, ReadVirt.
 */

/** `length` bytes of kernel virtual memory at `address`, or undefined when the dump lacks any of them. */
export type ReadVirt = (address: bigint, length: number) => Uint8Array | undefined;

/** Offsets are relative to the table's first byte. Reads outside [0, length) or of missing pages throw TableBytesMissing. */
export interface TableBytes {
  readonly length: number;
  u8(offset: number): number;
  u16(offset: number): number;
  i16(offset: number): number;
  u32(offset: number): number;
  i32(offset: number): number;
}

/** A table read is outside the table or on a page the dump does not hold. */
export class TableBytesMissing extends Error {
  constructor(readonly offset: number) {
    super(`table byte ${offset} unavailable`);
    this.name = 'TableBytesMissing';
  }
}

export class ArrayTableBytes implements TableBytes {
  private readonly view: DataView;
  readonly length: number;

  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength;
  }

  private check(offset: number, size: number): void {
    if (!(offset >= 0 && offset + size <= this.length)) throw new TableBytesMissing(offset);
  }
  u8(offset: number): number {
    this.check(offset, 1);
    return this.view.getUint8(offset);
  }
  u16(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, true);
  }
  i16(offset: number): number {
    this.check(offset, 2);
    return this.view.getInt16(offset, true);
  }
  u32(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, true);
  }
  i32(offset: number): number {
    this.check(offset, 4);
    return this.view.getInt32(offset, true);
  }
}

const CHUNK = 4096;

/**
 * Reads `[base, base + length)` of kernel memory in 4 KiB chunks aligned to the table start, each
 * read once and kept (at most length/4096 chunks: bounded by the table size the caller checked).
 */
export class MemoryTableBytes implements TableBytes {
  private readonly chunks = new Map<number, DataView | null>();

  constructor(
    private readonly read: ReadVirt,
    readonly base: bigint,
    readonly length: number,
  ) {}

  private chunk(index: number): DataView | null {
    let view = this.chunks.get(index);
    if (view === undefined) {
      const start = index * CHUNK;
      const size = Math.min(CHUNK, this.length - start);
      const bytes = size > 0 ? this.read(this.base + BigInt(start), size) : undefined;
      view = bytes ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null;
      this.chunks.set(index, view);
    }
    return view;
  }

  /** Byte at `offset` (slow path for values straddling a chunk boundary). */
  private byte(offset: number): number {
    const view = this.chunk(Math.floor(offset / CHUNK));
    if (!view) throw new TableBytesMissing(offset);
    return view.getUint8(offset % CHUNK);
  }

  private unsigned(offset: number, size: number): number {
    if (!(offset >= 0 && offset + size <= this.length)) throw new TableBytesMissing(offset);
    const inChunk = offset % CHUNK;
    if (inChunk + size <= CHUNK) {
      const view = this.chunk((offset - inChunk) / CHUNK);
      if (!view) throw new TableBytesMissing(offset);
      return size === 1
        ? view.getUint8(inChunk)
        : size === 2
          ? view.getUint16(inChunk, true)
          : view.getUint32(inChunk, true);
    }
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + this.byte(offset + i);
    return value;
  }

  u8(offset: number): number {
    return this.unsigned(offset, 1);
  }
  u16(offset: number): number {
    return this.unsigned(offset, 2);
  }
  i16(offset: number): number {
    const v = this.unsigned(offset, 2);
    return v >= 0x8000 ? v - 0x10000 : v;
  }
  u32(offset: number): number {
    return this.unsigned(offset, 4);
  }
  i32(offset: number): number {
    return this.unsigned(offset, 4) | 0;
  }
}

/**
 * makedumpfile's flattened format (`-F`, for piping a dump over ssh): a 4096-byte header starting
 * "makedumpfile" (type 1, version 1, big-endian i64s), then records {i64 offset, i64 size} + data,
 * big-endian, until offset = -1. Each record is a write of `size` bytes at `offset` of the real
 * dump. We index the records once (headers only) and present the rearranged dump as a ByteSource,
 * read in place — no `makedumpfile -R` copy. Bytes no record wrote read as zeros.
 */

import { corrupt, KtriageError } from '../errors.js';
import { type ByteSource, checkRange } from '../io/byte-source.js';
import { i64be } from '../io/endian.js';

const HEADER_SIZE = 4096;
const RECORD_HEADER = 16;
const WINDOW = 1 << 16;

export function isFlattened(head: Uint8Array): boolean {
  return head.length >= 12 && String.fromCharCode(...head.subarray(0, 12)) === 'makedumpfile';
}

export class FlattenedSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  /** Sorted by logical start; parallel arrays keep a million records cheap. */
  private readonly starts: Float64Array;
  private readonly sizes: Float64Array;
  private readonly fileOffsets: Float64Array;
  readonly recordCount: number;
  /** File offset of the first record cut by the end of the file, when the copy is truncated. */
  truncatedAt?: number;

  constructor(
    private readonly file: ByteSource,
    progress?: (done: number, total: number, what: string) => void,
  ) {
    this.name = file.name;
    if (file.size < HEADER_SIZE)
      throw corrupt(`${file.name}: flattened header`, 0, `file is ${file.size} bytes, need ${HEADER_SIZE}`);
    const head = file.read(0, 32);
    if (!isFlattened(head))
      throw corrupt(`${file.name}: flattened header`, 0, 'signature "makedumpfile" missing');
    const type = i64be(head, 16);
    const version = i64be(head, 24);
    if (type !== 1n) throw corrupt(`${file.name}: flattened header`, 16, `type ${type}, expected 1`);
    if (version !== 1n)
      throw new KtriageError(
        'unsupported',
        `${file.name}: flattened format version ${version} (only 1 is known)`,
        { path: file.name },
      );

    const records: { start: number; size: number; fileOffset: number }[] = [];
    let windowStart = -1;
    let window: Uint8Array = new Uint8Array(0);
    let at = HEADER_SIZE;
    for (;;) {
      // A copy cut short (an interrupted scp of a flattened stream): keep the records that are
      // whole; the dump inside then reads as truncated, with what it has.
      if (at + RECORD_HEADER > file.size) {
        this.truncatedAt = at;
        break;
      }
      if (windowStart < 0 || at < windowStart || at + RECORD_HEADER > windowStart + window.length) {
        windowStart = at;
        window = file.read(at, Math.min(WINDOW, file.size - at));
      }
      const start = i64be(window, at - windowStart);
      const size = i64be(window, at - windowStart + 8);
      if (start === -1n) break;
      if (start < 0n || size < 0n || start > BigInt(Number.MAX_SAFE_INTEGER) || size > BigInt(file.size)) {
        throw corrupt(`${file.name}: flattened record`, at, `offset ${start} / size ${size} out of range`);
      }
      const dataAt = at + RECORD_HEADER;
      if (dataAt + Number(size) > file.size) {
        this.truncatedAt = at;
        break;
      }
      if (progress && records.length % 4096 === 0) progress(at, file.size, 'indexing flattened dump');
      if (size > 0n) records.push({ start: Number(start), size: Number(size), fileOffset: dataAt });
      at = dataAt + Number(size);
    }
    if (records.length === 0)
      throw corrupt(`${file.name}: flattened record`, at, 'no complete record before the end of the file');
    records.sort((a, b) => a.start - b.start);
    this.recordCount = records.length;
    this.starts = new Float64Array(records.length);
    this.sizes = new Float64Array(records.length);
    this.fileOffsets = new Float64Array(records.length);
    let end = 0;
    records.forEach((r, i) => {
      if (r.start < end) {
        throw new KtriageError(
          'unsupported',
          `${file.name}: flattened records overlap at offset ${r.start}: rearrange it with \`makedumpfile -R\``,
          { path: file.name },
        );
      }
      this.starts[i] = r.start;
      this.sizes[i] = r.size;
      this.fileOffsets[i] = r.fileOffset;
      end = r.start + r.size;
    });
    this.size = end;
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const out = new Uint8Array(length);
    // First record that ends after `offset`.
    let lo = 0;
    let hi = this.recordCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! + this.sizes[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    const end = offset + length;
    for (let i = lo; i < this.recordCount && this.starts[i]! < end; i++) {
      const from = Math.max(offset, this.starts[i]!);
      const to = Math.min(end, this.starts[i]! + this.sizes[i]!);
      if (to <= from) continue;
      out.set(this.file.read(this.fileOffsets[i]! + (from - this.starts[i]!), to - from), from - offset);
    }
    return out;
  }

  close(): void {
    this.file.close?.();
  }
}

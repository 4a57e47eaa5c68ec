/**
 * Random-access byte sources: the one interface every dump reader reads through.
 *
 * Decision (docs/dump-api.md): the interface is synchronous. Node reads files with positional
 * `readSync` (no file is ever loaded whole), a Buffer is sliced, and a browser `Blob` is read with
 * `FileReaderSync`, which exists in Web Workers — so the dump layer runs in a worker in a browser.
 * Synchronous reads keep the model's `MemoryView` (analyzers call `readU64` in loops) simple and
 * fast: a promise per 8-byte read would cost more than the read itself.
 */

import { KtriageError } from '../errors.js';

export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** What to call this source in messages (a path, "buffer", a blob name). */
  readonly name: string;
  /**
   * Exactly `length` bytes at `offset`. The caller owns the result (it may be a view over the
   * source's memory for in-memory sources: do not write to it). Throws a `KtriageError` when
   * the range passes the end of the source.
   */
  read(offset: number, length: number): Uint8Array;
  close?(): void;
}

/** Largest single read a parser may ask for; bigger requests mean a corrupt length field. */
export const MAX_READ = 256 * 1024 * 1024;

export function checkRange(source: ByteSource, offset: number, length: number, what = 'read'): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new KtriageError(
      'corrupt',
      `${source.name}: ${what} at offset ${offset} of ${length} bytes is invalid`,
      {
        path: source.name,
        offset: Number.isSafeInteger(offset) ? offset : undefined,
      },
    );
  }
  if (length > MAX_READ) {
    throw new KtriageError(
      'corrupt',
      `${source.name}: ${what} of ${length} bytes at offset 0x${offset.toString(16)} is implausibly large`,
      {
        path: source.name,
        offset,
      },
    );
  }
  if (offset + length > source.size) {
    throw new KtriageError(
      'corrupt',
      `${source.name}: ${what} of ${length} bytes at offset 0x${offset.toString(16)} passes the end of the file (${source.size} bytes): truncated?`,
      { path: source.name, offset },
    );
  }
}

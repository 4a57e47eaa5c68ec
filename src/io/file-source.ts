/**
 * A byte source over a file, read with positional reads: a 300 GB dump costs only what is read.
 * Small reads are served from a few cached 64 KiB blocks: a kdump page costs two reads (its
 * descriptor, its data) of neighbours of the previous page's, so one system call now serves
 * dozens of them (kallsyms and BTF alone are ~1,500 pages).
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { KtriageError } from '../errors.js';
import { type ByteSource, checkRange } from './byte-source.js';
import { LruCache } from './lru.js';

const BLOCK = 64 * 1024;
/** 1 MiB of blocks: enough for the interleaved streams of a dump (descriptors, data, bitmaps). */
const BLOCKS = 16;
/** Reads this large go straight to the file. */
const SMALL = 16 * 1024;

export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;
  private readonly blocks = new LruCache<number, Uint8Array>(BLOCKS);

  constructor(readonly name: string) {
    try {
      this.fd = openSync(name, 'r');
      const stat = fstatSync(this.fd);
      if (!stat.isFile() && !stat.isBlockDevice()) {
        closeSync(this.fd);
        throw new KtriageError('notAFile', `${name}: not a regular file`, { path: name });
      }
      this.size = stat.size;
    } catch (error) {
      if (error instanceof KtriageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new KtriageError('notFound', `${name}: no such file`, { path: name });
      if (code === 'EISDIR') throw new KtriageError('notAFile', `${name}: is a directory`, { path: name });
      throw new KtriageError('io', `${name}: cannot open (${code ?? String(error)})`, { path: name });
    }
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    if (this.fd === undefined)
      throw new KtriageError('io', `${this.name}: read after close`, { path: this.name });
    if (length <= SMALL && length > 0) {
      const first = Math.floor(offset / BLOCK);
      if (first === Math.floor((offset + length - 1) / BLOCK)) {
        const at = offset - first * BLOCK;
        return this.block(first).slice(at, at + length);
      }
    }
    return this.readAt(offset, length);
  }

  /** Block `index` of the file (the last one may be short). */
  private block(index: number): Uint8Array {
    let block = this.blocks.get(index);
    if (!block) {
      block = this.readAt(index * BLOCK, Math.min(BLOCK, this.size - index * BLOCK));
      this.blocks.set(index, block);
    }
    return block;
  }

  private readAt(offset: number, length: number): Uint8Array {
    const fd = this.fd!;
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(fd, out, done, length - done, offset + done);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new KtriageError(
          'io',
          `${this.name}: read at offset 0x${(offset + done).toString(16)} failed (${code ?? String(error)})`,
          {
            path: this.name,
            offset: offset + done,
          },
        );
      }
      if (n === 0) {
        throw new KtriageError(
          'corrupt',
          `${this.name}: file shrank while reading at offset 0x${(offset + done).toString(16)}`,
          {
            path: this.name,
            offset: offset + done,
          },
        );
      }
      done += n;
    }
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.blocks.clear();
  }
}

/** A byte source over a file, read with positional reads: a 300 GB dump costs only what is read. */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { KtriageError } from '../errors.js';
import { type ByteSource, checkRange } from './byte-source.js';

export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;

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
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(this.fd, out, done, length - done, offset + done);
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
  }
}

/** Positional reads of a file for tests (the product gets its byte sources from src/io). */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteReader } from '../../../src/kernel/symbols/elf.js';

export function fileReader(path: string): ByteReader {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  process.once('exit', () => closeSync(fd));
  return {
    size,
    read(offset: number, length: number): Uint8Array {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.alloc(n);
      // sysfs files (/sys/kernel/btf/vmlinux) answer in pieces: loop until done or EOF.
      let got = 0;
      while (got < n) {
        const r = readSync(fd, buf, got, n - got, offset + got);
        if (r <= 0) break;
        got += r;
      }
      return new Uint8Array(buf.buffer, buf.byteOffset, got);
    },
  };
}

export function bufferReader(bytes: Uint8Array): ByteReader {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

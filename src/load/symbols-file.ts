/**
 * The file given with `--symbols`: a System.map (plain or gzip'd, as distributions ship it) or a
 * vmlinux ELF, as a ByteSource for src/kernel/symbols. A vmlinux is read in place; a map is small.
 */

import { gunzipSync } from 'node:zlib';
import { KtriageError } from '../errors.js';
import { BufferSource } from '../io/buffer-source.js';
import type { ByteSource } from '../io/byte-source.js';
import { FileSource } from '../io/file-source.js';

/** A System.map is a few MB; anything that inflates beyond this is not one. */
const MAX_MAP = 256 * 1024 * 1024;

export function openSymbolsFile(path: string): ByteSource {
  const file = new FileSource(path);
  const head = file.read(0, Math.min(2, file.size));
  if (head[0] !== 0x1f || head[1] !== 0x8b) return file;
  try {
    const text = gunzipSync(file.read(0, file.size), { maxOutputLength: MAX_MAP });
    return new BufferSource(new Uint8Array(text.buffer, text.byteOffset, text.length), path);
  } catch (error) {
    throw new KtriageError('corrupt', `${path}: not a readable gzip file (${(error as Error).message})`, {
      path,
    });
  } finally {
    file.close?.();
  }
}

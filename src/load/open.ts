/**
 * Opening an input: the checks that turn a bad path into a clear message (missing, a directory,
 * empty, unreadable) and the first bytes that decide what the file is.
 */

import { open, stat } from 'node:fs/promises';
import { KtriageError } from '../errors.js';
import { type Sniffed, sniff } from './detect.js';

export const HEAD_BYTES = 65536;

export interface OpenedInput {
  path: string;
  size: number;
  head: Uint8Array;
  sniffed: Sniffed;
}

export async function openInput(path: string): Promise<OpenedInput> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw fsError(error, path);
  }
  if (info.isDirectory())
    throw new KtriageError(
      'notAFile',
      `${path}: is a directory (give a log, a crash transcript or a vmcore)`,
      { path },
    );
  if (!info.isFile() && !info.isFIFO() && !info.isCharacterDevice()) {
    throw new KtriageError('notAFile', `${path}: not a regular file`, { path });
  }
  const head = await readHead(path);
  if (info.isFile() && info.size === 0) throw new KtriageError('empty', `${path}: empty file`, { path });
  return { path, size: info.size, head, sniffed: sniff(head) };
}

async function readHead(path: string): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const buffer = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    throw fsError(error, path);
  } finally {
    await handle?.close();
  }
}

export function fsError(error: unknown, path: string): KtriageError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new KtriageError('notFound', `${path}: no such file`, { path });
    case 'EACCES':
    case 'EPERM':
      return new KtriageError('io', `${path}: permission denied`, { path });
    case 'EISDIR':
      return new KtriageError('notAFile', `${path}: is a directory`, { path });
    default:
      return new KtriageError('io', `${path}: cannot read (${code ?? (error as Error).message})`, { path });
  }
}

/** Refusals that name what to do instead. */
export function refuseSniffed(path: string, sniffed: Sniffed): KtriageError | undefined {
  switch (sniffed.kind) {
    case 'empty':
      return new KtriageError('empty', `${path}: empty input`, { path });
    case 'binary':
      return new KtriageError(
        'unrecognised',
        `${path}: not a kernel log, crash transcript or vmcore (${sniffed.reason}; expected text, or an ELF / kdump-compressed / flattened dump)`,
        { path },
      );
    case 'elf':
      return sniffed.elfClass === 32
        ? new KtriageError('unsupported', `${path}: 32-bit ELF dumps are not supported (x86_64 ELF64 only)`, {
            path,
          })
        : undefined;
    default:
      return undefined;
  }
}

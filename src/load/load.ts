/**
 * Any input → the model. Decides what a file is from its first bytes (src/load/detect.ts) and hands
 * it to the matching source: dump containers to src/load/dump.ts, crash transcripts to
 * src/text/crash, everything else textual to src/text/console.
 */

import { readFile } from 'node:fs/promises';
import type { ProgressReporter } from '../dump/open.js';
import { KtriageError } from '../errors.js';
import type { Crash, InputInfo } from '../model/index.js';
import { parseConsoleLog } from '../text/console/index.js';
import { looksLikeCrashTranscript, parseCrashTranscript } from '../text/crash/index.js';
import { sniff } from './detect.js';
import { loadDump } from './dump.js';
import { fsError, openInput, refuseSniffed } from './open.js';

export interface LoadOptions {
  progress?: ProgressReporter;
  timeZone?: string;
}

/** Text inputs up to this size are parsed in memory; larger ones are refused with advice for now. */
export const MAX_TEXT_BYTES = 1 << 30;

export async function loadInput(path: string, options: LoadOptions = {}): Promise<Crash> {
  if (path === '-') return loadText(await readStdin(), '-');
  const opened = await openInput(path);
  const refusal = refuseSniffed(path, opened.sniffed);
  if (refusal) throw refusal;
  switch (opened.sniffed.kind) {
    case 'elf':
    case 'kdump':
    case 'flattened':
      return loadDump(path, {
        kernel: true,
        ...(options.progress ? { progress: options.progress } : {}),
        ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      });
    case 'compressed':
      throw new KtriageError(
        'unsupported',
        `${path}: ${opened.sniffed.method}-compressed; decompress it first (a dump needs random access, e.g. \`${decompressHint(opened.sniffed.method)} ${path}\`)`,
        { path },
      );
    default:
      break;
  }
  if (opened.size > MAX_TEXT_BYTES) {
    throw new KtriageError(
      'unsupported',
      `${path}: ${opened.size} bytes of text is more than ktriage reads at once (1 GiB); cut the log around the crash`,
      { path },
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fsError(error, path);
  }
  return loadText(bytes, path);
}

function decompressHint(method: string): string {
  return method === 'gzip'
    ? 'gunzip -k'
    : method === 'xz'
      ? 'unxz -k'
      : method === 'zstd'
        ? 'unzstd'
        : method === 'bzip2'
          ? 'bunzip2 -k'
          : 'lz4 -d';
}

export function loadText(bytes: Buffer, path: string): Crash {
  const sniffed = sniff(bytes.subarray(0, 65536));
  const refusal = refuseSniffed(path, sniffed);
  if (refusal) throw refusal;
  if (sniffed.kind !== 'text') {
    throw new KtriageError(
      'unrecognised',
      `${path}: binary data on standard input; give the dump as a file path`,
      { path },
    );
  }
  const text = bytes.toString('utf8');
  if (looksLikeCrashTranscript(text)) {
    return parseCrashTranscript(text, { path, format: 'crash-transcript', bytes: bytes.length });
  }
  const input: InputInfo = { path, format: 'console-log', bytes: bytes.length };
  return parseConsoleLog(text, input);
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > MAX_TEXT_BYTES)
      throw new KtriageError('unsupported', 'standard input: more than 1 GiB of text');
    chunks.push(buffer);
  }
  if (total === 0) throw new KtriageError('empty', 'standard input: empty');
  return Buffer.concat(chunks);
}

/**
 * Any input → the model. Decides what a file is from its first bytes (src/load/detect.ts) and hands
 * it to the matching source: dump containers to src/load/dump.ts, crash transcripts to
 * src/text/crash, everything else textual to src/text/console.
 */

import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ProgressReporter } from '../dump/open.js';
import { KtriageError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import type { Crash, InputInfo } from '../model/index.js';
import { parseConsoleLog, readConsoleLogStream } from '../text/console/index.js';
import { looksLikeCrashTranscript, parseCrashTranscript } from '../text/crash/index.js';
import { sniff } from './detect.js';
import { loadDump } from './dump.js';
import { fsError, openInput, refuseSniffed } from './open.js';

export interface LoadOptions {
  progress?: ProgressReporter;
  timeZone?: string;
  /** A System.map or vmlinux (`--symbols`) for dumps whose VMCOREINFO lacks kallsyms (< 6.0). */
  symbolsFile?: ByteSource;
  /** Text files larger than this are streamed (default STREAM_TEXT_BYTES). */
  streamThreshold?: number;
}

/**
 * Text up to this size is read whole (transcripts and ordinary logs); a larger log is streamed and
 * only the records around reports are kept, so memory stays flat whatever its size.
 */
export const STREAM_TEXT_BYTES = 64 << 20;

export async function loadInput(path: string, options: LoadOptions = {}): Promise<Crash> {
  if (path === '-') return loadStdin();
  const opened = await openInput(path);
  const refusal = refuseSniffed(path, opened.sniffed);
  if (refusal) throw refusal;
  switch (opened.sniffed.kind) {
    case 'elf':
    case 'kdump':
    case 'flattened':
      return loadDump(path, {
        kernel: options.symbolsFile ? { symbolsFile: options.symbolsFile } : true,
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
  if (opened.size > (options.streamThreshold ?? STREAM_TEXT_BYTES))
    return streamLog(path, opened.size, options.progress);
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

async function streamLog(path: string, size: number, progress: ProgressReporter | undefined): Promise<Crash> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let done = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of stream) {
        done += (chunk as Buffer).length;
        progress?.(done, size, `reading ${path}`);
        yield chunk as Buffer;
      }
    } catch (error) {
      throw fsError(error, path);
    }
  }
  return readConsoleLogStream(chunks(), { path, format: 'console-log', bytes: size });
}

const asBuffer = (chunk: unknown): Buffer =>
  typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);

/** Standard input: read whole while small; past the threshold the rest is streamed as a console log. */
async function loadStdin(): Promise<Crash> {
  const iterator = process.stdin[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let total = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const buffer = asBuffer(next.value);
    head.push(buffer);
    total += buffer.length;
    if (total > STREAM_TEXT_BYTES) {
      const first = Buffer.concat(head);
      const refusal = refuseSniffed('standard input', sniff(first.subarray(0, 65536)));
      if (refusal) throw refusal;
      async function* rest(): AsyncGenerator<Uint8Array> {
        yield first;
        for (;;) {
          const more = await iterator.next();
          if (more.done) return;
          yield asBuffer(more.value);
        }
      }
      return readConsoleLogStream(rest(), { path: '-', format: 'console-log' });
    }
  }
  if (total === 0) throw new KtriageError('empty', 'standard input: empty');
  return loadText(Buffer.concat(head), '-');
}

/**
 * Opens a dump from any byte source: detects the container by its signature (ELF64, kdump-
 * compressed/diskdump, makedumpfile flattened — which may wrap either), refuses what we do not
 * read (ELF32, split dumps, compressed files) with a message saying what to do instead.
 */

import { corrupt, KtriageError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import type { DumpInfo } from '../model/crash.js';
import { type LoadSegment, readElfDump } from './elf.js';
import { FlattenedSource, isFlattened } from './flattened.js';
import { readKdumpDump } from './kdump.js';
import { compressionNames, type KdumpHeader } from './kdump-header.js';
import type { DumpNotes } from './notes.js';
import type { PhysicalMemory } from './physical.js';

export interface Dump {
  /** The dump's bytes (for a flattened file: the rearranged view). */
  source: ByteSource;
  container: 'elf' | 'kdump';
  flattened: boolean;
  physical: PhysicalMemory;
  notes: DumpNotes;
  /** kdump-compressed only: the header (utsname, timestamp, dump level…). */
  kdump?: KdumpHeader;
  /** ELF only. */
  elf?: { incomplete: boolean; segments: LoadSegment[] };
  /** The model's summary of the container. */
  info: DumpInfo;
}

export type ProgressReporter = (done: number, total: number, what: string) => void;

export interface OpenDumpOptions {
  /** Decompressed pages kept in memory (default 2048 = 8 MiB of 4 KiB pages). */
  cachePages?: number;
  /** Called during long work (indexing a flattened file). */
  progress?: ProgressReporter;
}

export function openDump(file: ByteSource, options: OpenDumpOptions = {}): Dump {
  if (file.size === 0) throw new KtriageError('empty', `${file.name}: empty file`, { path: file.name });
  const head = file.read(0, Math.min(16, file.size));
  const flattened = isFlattened(head);
  const source = flattened ? new FlattenedSource(file, options.progress) : file;
  const inner = flattened ? source.read(0, Math.min(16, source.size)) : head;
  const cut =
    source instanceof FlattenedSource && source.truncatedAt !== undefined
      ? `the file is truncated: its flattened records stop whole at offset ${source.truncatedAt} of ${file.size} bytes; memory in the missing records reads as lost`
      : undefined;
  const kind = containerOf(inner, file.name, head);
  if (kind === 'elf') {
    const elf = readElfDump(source);
    const notes = [...elf.problems];
    return {
      source,
      container: 'elf',
      flattened,
      physical: elf.physical,
      notes: elf.notes,
      elf: { incomplete: elf.incomplete, segments: elf.segments },
      info: {
        container: flattened ? 'flattened' : 'elf',
        pageSize: elf.physical.pageSize,
        incomplete: elf.incomplete || cut !== undefined,
        ...(elf.notes.vmcoreinfo ? { vmcoreinfo: elf.notes.vmcoreinfo } : {}),
        notes: [
          ...(flattened ? ['flattened (makedumpfile -F) ELF dump'] : []),
          ...(cut ? [cut] : []),
          ...notes,
        ],
      },
    };
  }
  const kd = readKdumpDump(source, options);
  const h = kd.header;
  const notes: string[] = [];
  if (flattened) notes.push('flattened (makedumpfile -F) kdump-compressed dump');
  if (cut) notes.push(cut);
  if (kd.physical.incomplete) notes.push('header status says the dump is incomplete: some pages were lost');
  const truncation = kd.physical.truncation();
  if (truncation) notes.push(truncation);
  return {
    source,
    container: 'kdump',
    flattened,
    physical: kd.physical,
    notes: kd.notes,
    kdump: h,
    info: {
      container: flattened ? 'flattened' : 'kdump',
      headerVersion: h.headerVersion,
      compression: compressionNames(h.status),
      ...(h.sub.dumpLevel !== undefined ? { dumpLevel: h.sub.dumpLevel } : {}),
      pageSize: h.blockSize,
      incomplete: kd.physical.incomplete || truncation !== undefined || cut !== undefined,
      ...(kd.notes.vmcoreinfo ? { vmcoreinfo: kd.notes.vmcoreinfo } : {}),
      notes,
    },
  };
}

function containerOf(inner: Uint8Array, name: string, outer: Uint8Array): 'elf' | 'kdump' {
  const ascii = (b: Uint8Array, n: number): string => String.fromCharCode(...b.subarray(0, n));
  if (inner[0] === 0x7f && ascii(inner.subarray(1), 3) === 'ELF') {
    if (inner[4] === 1)
      throw new KtriageError(
        'unsupported',
        `${name}: 32-bit ELF dump: only x86_64 (ELF64) dumps are supported`,
        { path: name },
      );
    return 'elf';
  }
  const sig = ascii(inner, 8);
  if (sig === 'KDUMP   ' || sig === 'DISKDUMP') return 'kdump';
  if (outer[0] === 0x1f && outer[1] === 0x8b) {
    throw new KtriageError(
      'unsupported',
      `${name}: gzip-compressed file: decompress it first (gunzip -k ${name})`,
      { path: name },
    );
  }
  if (outer[0] === 0x28 && outer[1] === 0xb5 && outer[2] === 0x2f && outer[3] === 0xfd) {
    throw new KtriageError(
      'unsupported',
      `${name}: zstd-compressed file: decompress it first (zstd -d ${name})`,
      { path: name },
    );
  }
  if (outer[0] === 0xfd && ascii(outer.subarray(1), 4) === '7zXZ') {
    throw new KtriageError(
      'unsupported',
      `${name}: xz-compressed file: decompress it first (xz -dk ${name})`,
      { path: name },
    );
  }
  if (ascii(outer, 3) === 'BZh') {
    throw new KtriageError(
      'unsupported',
      `${name}: bzip2-compressed file: decompress it first (bunzip2 -k ${name})`,
      { path: name },
    );
  }
  // A log or a transcript (its first 16 bytes without control bytes; UTF-8 allowed) given to a dump-only command is the
  // user's mix-up, not a damaged dump.
  if (
    outer.length > 0 &&
    outer.every((b) => (b >= 0x20 && b !== 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d)
  ) {
    throw new KtriageError(
      'unrecognised',
      `${name}: a text file, not a vmcore — this command reads dumps; \`ktriage analyze ${name}\` reads logs and crash transcripts`,
      { path: name },
    );
  }
  throw corrupt(
    `${name}: dump signature`,
    0,
    'not an ELF vmcore, kdump-compressed ("KDUMP   "/"DISKDUMP") or flattened ("makedumpfile") dump',
  );
}

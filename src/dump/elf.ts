/**
 * ELF64 vmcores: `/proc/vmcore` copies, `makedumpfile -E`, QEMU `dump-guest-memory`. PT_LOAD
 * segments map physical addresses (`p_paddr`) to file ranges; bytes between `p_filesz` and
 * `p_memsz` read as zeros (makedumpfile's zero pages); PT_NOTE holds registers and VMCOREINFO.
 * `e_flags & 1` marks an incomplete dump (makedumpfile ran out of space).
 */

import { corrupt, KtriageError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { u16, u32, u64, u64n } from '../io/endian.js';
import { LruCache } from '../io/lru.js';
import { type DumpNotes, interpretNotes } from './notes.js';
import { MemoryUnavailableError, type PageState, type PhysicalMemory } from './physical.js';

const PT_LOAD = 1;
const PT_NOTE = 4;
const EM_X86_64 = 62;
const MAX_PHDRS = 1 << 20;
const MAX_NOTE_BYTES = 64 * 1024 * 1024;

export interface LoadSegment {
  physStart: bigint;
  virtStart: bigint;
  fileOffset: number;
  fileSize: number;
  memSize: number;
  /** Bytes of `fileSize` actually in the file (less when the file was cut short). */
  presentSize: number;
}

export interface ElfDump {
  machine: number;
  incomplete: boolean;
  /** What is wrong with an incomplete or truncated file, for DumpInfo.notes. */
  problems: string[];
  segments: LoadSegment[];
  notes: DumpNotes;
  physical: PhysicalMemory;
}

export function readElfDump(source: ByteSource, pageSize = 4096): ElfDump {
  if (source.size < 64)
    throw corrupt(`${source.name}: ELF header`, 0, `file is ${source.size} bytes, need 64`);
  const eh = source.read(0, 64);
  if (eh[4] === 1) {
    throw new KtriageError(
      'unsupported',
      `${source.name}: 32-bit ELF dumps are not supported (x86_64 only)`,
      { path: source.name },
    );
  }
  if (eh[4] !== 2) throw corrupt(`${source.name}: ELF header`, 4, `EI_CLASS ${eh[4]}, expected 2 (ELF64)`);
  if (eh[5] !== 1)
    throw new KtriageError('unsupported', `${source.name}: big-endian ELF dumps are not supported`, {
      path: source.name,
    });
  const machine = u16(eh, 18);
  if (machine !== EM_X86_64) {
    throw new KtriageError(
      'unsupported',
      `${source.name}: ELF machine ${machine} is not x86_64 (62): only x86_64 dumps are read`,
      { path: source.name },
    );
  }
  const flags = u32(eh, 48);
  const phoff = u64n(eh, 32);
  const phentsize = u16(eh, 54);
  const phnum = u16(eh, 56);
  if (phentsize < 56)
    throw corrupt(`${source.name}: ELF header`, 54, `e_phentsize ${phentsize}, expected 56`);
  if (phnum === 0) throw corrupt(`${source.name}: ELF header`, 56, 'no program headers');
  if (phnum > MAX_PHDRS) throw corrupt(`${source.name}: ELF header`, 56, `${phnum} program headers`);
  const table = source.read(phoff, phentsize * phnum);
  const segments: LoadSegment[] = [];
  const problems: string[] = [];
  const noteParts: Uint8Array[] = [];
  let cutSegments = 0;
  let describedEnd = 0;
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    const type = u32(table, at);
    const fileOffset = u64n(table, at + 8);
    const fileSize = u64n(table, at + 32);
    const memSize = u64n(table, at + 40);
    const where = phoff + at;
    if (type === PT_LOAD) {
      if (fileSize > memSize)
        throw corrupt(`${source.name}: PT_LOAD ${i}`, where, `p_filesz ${fileSize} > p_memsz ${memSize}`);
      if (!Number.isFinite(fileOffset + memSize))
        throw corrupt(`${source.name}: PT_LOAD ${i}`, where, 'offset or size out of range');
      // A cut file (makedumpfile out of space, an interrupted copy) keeps what it has: pages past
      // the end read as "lost", like an incomplete kdump dump.
      const presentSize = fileSize === 0 ? 0 : Math.max(0, Math.min(fileSize, source.size - fileOffset));
      if (presentSize < fileSize) {
        cutSegments++;
        describedEnd = Math.max(describedEnd, fileOffset + fileSize);
      }
      segments.push({
        physStart: u64(table, at + 24),
        virtStart: u64(table, at + 16),
        fileOffset,
        fileSize,
        memSize,
        presentSize,
      });
    } else if (type === PT_NOTE) {
      if (fileSize > MAX_NOTE_BYTES)
        throw corrupt(`${source.name}: PT_NOTE`, where, `${fileSize} bytes of notes`);
      if (fileOffset + fileSize > source.size)
        throw corrupt(
          `${source.name}: PT_NOTE`,
          where,
          `notes end at ${fileOffset + fileSize}, past the end of the file (${source.size} bytes): truncated?`,
        );
      noteParts.push(source.read(fileOffset, fileSize));
    }
  }
  if (segments.length === 0)
    throw corrupt(`${source.name}: ELF program headers`, phoff, 'no PT_LOAD segment: not a vmcore');
  segments.sort((a, b) => (a.physStart < b.physStart ? -1 : a.physStart > b.physStart ? 1 : 0));
  // One line, not one per segment: a cut copy of a big dump lacks hundreds of them.
  if (cutSegments > 0)
    problems.push(
      `the file is truncated: it is ${source.size} bytes, its program headers describe ${describedEnd} ` +
        `(${cutSegments} of ${segments.length} PT_LOAD segments cut); memory past the end reads as lost`,
    );
  if ((flags & 1) !== 0) problems.unshift('the ELF header marks the dump incomplete (e_flags bit 0)');
  const notes = mergeNotes(noteParts);
  return {
    machine,
    incomplete: problems.length > 0,
    problems,
    segments,
    notes,
    physical: new ElfPhysicalMemory(source, segments, pageSize),
  };
}

function mergeNotes(parts: Uint8Array[]): DumpNotes {
  const all: DumpNotes = { prstatus: [], qemuCpus: [], other: [] };
  for (const part of parts) {
    const notes = interpretNotes(part);
    for (const p of notes.prstatus) all.prstatus.push({ ...p, cpu: all.prstatus.length });
    for (const q of notes.qemuCpus) all.qemuCpus.push({ ...q, cpu: all.qemuCpus.length });
    all.other.push(...notes.other);
    all.vmcoreinfo ??= notes.vmcoreinfo;
  }
  return all;
}

class ElfPhysicalMemory implements PhysicalMemory {
  readonly maxPfn: bigint;
  private readonly cache = new LruCache<bigint, Uint8Array>(1024);

  constructor(
    private readonly source: ByteSource,
    private readonly segments: LoadSegment[],
    readonly pageSize: number,
  ) {
    const last = segments[segments.length - 1]!;
    this.maxPfn = (last.physStart + BigInt(last.memSize) + BigInt(pageSize) - 1n) / BigInt(pageSize);
  }

  /** The segment holding physical address `pa`, by binary search over the sorted segments. */
  private segmentAt(pa: bigint): LoadSegment | undefined {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segments[mid]!;
      if (pa < s.physStart) hi = mid - 1;
      else if (pa >= s.physStart + BigInt(s.memSize)) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  pageState(pfn: bigint): PageState {
    return this.segmentAt(pfn * BigInt(this.pageSize)) ? 'present' : 'not-in-dump';
  }

  readPage(pfn: bigint): Uint8Array {
    const cached = this.cache.get(pfn);
    if (cached) return cached;
    const page = new Uint8Array(this.pageSize);
    const start = pfn * BigInt(this.pageSize);
    // A page may straddle segments (segments need not be page aligned): fill it piece by piece.
    let filled = 0;
    let any = false;
    while (filled < this.pageSize) {
      const pa = start + BigInt(filled);
      const s = this.segmentAt(pa);
      if (!s) {
        filled++;
        continue;
      }
      any = true;
      const inSeg = Number(pa - s.physStart);
      const take = Math.min(this.pageSize - filled, s.memSize - inSeg);
      if (inSeg < s.fileSize && inSeg >= s.presentSize)
        throw new MemoryUnavailableError(pa, 'lost', 'physical', 'past the end of a truncated ELF file');
      const fromFile = Math.max(0, Math.min(take, s.presentSize - inSeg));
      if (fromFile > 0) page.set(this.source.read(s.fileOffset + inSeg, fromFile), filled);
      filled += take;
    }
    if (!any) throw new MemoryUnavailableError(start, 'not-in-dump', 'physical');
    this.cache.set(pfn, page);
    return page;
  }
}

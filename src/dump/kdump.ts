/**
 * kdump-compressed dumps: header (./kdump-header.ts), two bitmaps, then one 24-byte page
 * descriptor per dumped page {i64 offset, u32 size, u32 flags, u64 page_flags} in PFN order,
 * then the page data. Pages are read one at a time and kept in a bounded LRU once decompressed.
 */

import { corrupt } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { i64, u32 } from '../io/endian.js';
import { LruCache } from '../io/lru.js';
import { DumpBitmap } from './bitmap.js';
import { type Compression, decompressPage } from './decompress.js';
import { KDUMP_STATUS, type KdumpHeader, readKdumpHeader } from './kdump-header.js';
import { type DumpNotes, interpretNotes } from './notes.js';
import { MemoryUnavailableError, type PageState, type PhysicalMemory } from './physical.js';

const DESC_SIZE = 24;
const TRUNCATED = 'past the end of a truncated file';
/** Descriptors read from the end to find where the page data ends (96 KiB). */
const TAIL_DESCS = 4096;
const MAX_NOTE_BYTES = 64 * 1024 * 1024;

export interface KdumpDump {
  header: KdumpHeader;
  notes: DumpNotes;
  physical: KdumpPhysicalMemory;
}

export function readKdumpDump(source: ByteSource, options: { cachePages?: number } = {}): KdumpDump {
  const header = readKdumpHeader(source);
  const notes = readNotes(source, header);
  return { header, notes, physical: new KdumpPhysicalMemory(source, header, options.cachePages ?? 2048) };
}

function readNotes(source: ByteSource, header: KdumpHeader): DumpNotes {
  const { notes: noteArea, vmcoreinfo } = header.sub;
  let result: DumpNotes = { prstatus: [], qemuCpus: [], other: [] };
  if (noteArea) {
    if (noteArea.size > MAX_NOTE_BYTES)
      throw corrupt(`${source.name}: kdump note area`, noteArea.offset, `${noteArea.size} bytes`);
    result = interpretNotes(source.read(noteArea.offset, noteArea.size), noteArea.offset);
  }
  if (!result.vmcoreinfo && vmcoreinfo) {
    if (vmcoreinfo.size > MAX_NOTE_BYTES)
      throw corrupt(`${source.name}: VMCOREINFO`, vmcoreinfo.offset, `${vmcoreinfo.size} bytes`);
    result.vmcoreinfo = new TextDecoder('latin1')
      .decode(source.read(vmcoreinfo.offset, vmcoreinfo.size))
      .replace(/\0+$/, '');
  }
  return result;
}

export class KdumpPhysicalMemory implements PhysicalMemory {
  readonly pageSize: number;
  readonly maxPfn: bigint;
  readonly present: DumpBitmap;
  readonly dumpable: DumpBitmap;
  private readonly descBase: number;
  private readonly cache: LruCache<bigint, Uint8Array>;
  /** Pages decompressed so far (for benchmarks and progress). */
  pagesRead = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly header: KdumpHeader,
    cachePages: number,
  ) {
    this.pageSize = header.blockSize;
    const bitmapStart = (1 + header.subHeaderBlocks) * header.blockSize;
    const bitmapBytes = header.bitmapBlocks * header.blockSize;
    if (bitmapStart + bitmapBytes > source.size) {
      throw corrupt(
        `${source.name}: kdump bitmaps`,
        bitmapStart,
        `${bitmapBytes} bytes pass the end of the file (${source.size} bytes): truncated?`,
      );
    }
    const half = bitmapBytes / 2;
    this.present = new DumpBitmap(source, bitmapStart, half);
    this.dumpable = new DumpBitmap(source, bitmapStart + half, half);
    this.descBase = bitmapStart + bitmapBytes;
    const mapnr = header.maxMapnr;
    this.maxPfn = mapnr > 0n && mapnr < this.present.pfnLimit ? mapnr : this.present.pfnLimit;
    this.cache = new LruCache(cachePages);
  }

  pageState(pfn: bigint): PageState {
    if (pfn < 0n || pfn >= this.maxPfn) return 'not-in-dump';
    if (this.dumpable.isSet(pfn)) return 'present';
    return this.present.isSet(pfn) ? 'excluded' : 'not-in-dump';
  }

  readPage(pfn: bigint): Uint8Array {
    const cached = this.cache.get(pfn);
    if (cached) return cached;
    const { data, flags, offset, descOffset } = this.storedPage(pfn);
    const method = compressionOf(flags);
    let page: Uint8Array;
    if (method) {
      page = decompressPage(method, data, this.pageSize, { pfn, offset });
    } else {
      if (data.length !== this.pageSize) {
        const where = `${this.source.name}: page descriptor of pfn 0x${pfn.toString(16)}`;
        throw corrupt(
          where,
          descOffset,
          `uncompressed page of ${data.length} bytes, expected ${this.pageSize}`,
        );
      }
      page = data;
    }
    this.pagesRead++;
    this.cache.set(pfn, page);
    return page;
  }

  /** The page as stored (compressed bytes and descriptor flags), after checking its descriptor. */
  storedPage(pfn: bigint): { data: Uint8Array; flags: number; offset: number; descOffset: number } {
    const address = pfn * BigInt(this.pageSize);
    const state = this.pageState(pfn);
    if (state !== 'present') {
      throw new MemoryUnavailableError(
        address,
        state === 'excluded' ? 'excluded' : 'not-in-dump',
        'physical',
      );
    }
    const descOffset = this.descBase + this.dumpable.rank(pfn) * DESC_SIZE;
    if (descOffset + DESC_SIZE > this.source.size)
      throw new MemoryUnavailableError(address, 'lost', 'physical', TRUNCATED);
    const desc = this.source.read(descOffset, DESC_SIZE);
    const offset = i64(desc, 0);
    const size = u32(desc, 8);
    const flags = u32(desc, 12);
    if (offset === 0n)
      throw new MemoryUnavailableError(address, 'lost', 'physical', 'page descriptor has no data offset');
    const where = `${this.source.name}: page descriptor of pfn 0x${pfn.toString(16)}`;
    if (offset < 0n) throw corrupt(where, descOffset, `data offset ${offset} outside the file`);
    if (size === 0 || size > this.pageSize)
      throw corrupt(where, descOffset, `data size ${size}, expected 1..${this.pageSize}`);
    // A cut copy (disk full while saving, an interrupted scp) keeps the pages it has.
    if (offset + BigInt(size) > BigInt(this.source.size))
      throw new MemoryUnavailableError(address, 'lost', 'physical', TRUNCATED);
    return { data: this.source.read(Number(offset), size), flags, offset: Number(offset), descOffset };
  }

  get incomplete(): boolean {
    return (this.header.status & KDUMP_STATUS.incomplete) !== 0;
  }

  /**
   * The file ends before its last page. Descriptors come before the data, which is written in PFN
   * order — except zero pages, which all share one early copy — so the furthest data end among the
   * last descriptors is where the file should end.
   */
  truncation(): string | undefined {
    const pages = this.dumpable.total();
    if (pages === 0) return undefined;
    const size = this.source.size;
    const descEnd = this.descBase + pages * DESC_SIZE;
    if (descEnd > size)
      return `the file is truncated: it is ${size} bytes and ends inside the page descriptors (${pages} pages were dumped); memory past the end reads as lost`;
    const tail = Math.min(pages, TAIL_DESCS);
    const descs = this.source.read(descEnd - tail * DESC_SIZE, tail * DESC_SIZE);
    let end = 0n;
    for (let at = 0; at < descs.length; at += DESC_SIZE) {
      const e = i64(descs, at) + BigInt(u32(descs, at + 8));
      if (e > end) end = e;
    }
    if (end > BigInt(size))
      return `the file is truncated: it is ${size} bytes, its page data runs to ${end}; memory past the end reads as lost`;
    return undefined;
  }
}

function compressionOf(flags: number): Compression | undefined {
  if (flags & KDUMP_STATUS.zlib) return 'zlib';
  if (flags & KDUMP_STATUS.lzo) return 'lzo';
  if (flags & KDUMP_STATUS.snappy) return 'snappy';
  if (flags & KDUMP_STATUS.zstd) return 'zstd';
  return undefined;
}

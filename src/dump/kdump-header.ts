/**
 * kdump-compressed headers (makedumpfile `-c|-l|-p|-z`, signature `KDUMP   `; `DISKDUMP` is the
 * older diskdump layout with the same first block). `disk_dump_header` fills block 0; the x86_64
 * `kdump_sub_header` starts at block 1 and grew with header_version (1..6, see docs/formats.md).
 */

import { corrupt, KtriageError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { cString, i32, i64, u32, u64, u64n } from '../io/endian.js';

export const KDUMP_STATUS = {
  zlib: 0x1,
  lzo: 0x2,
  snappy: 0x4,
  incomplete: 0x8,
  excludedVmemmap: 0x10,
  zstd: 0x20,
} as const;

export interface Utsname {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string;
}

export interface KdumpHeader {
  signature: 'KDUMP   ' | 'DISKDUMP';
  headerVersion: number;
  utsname: Utsname;
  /** Dump time, seconds since the epoch (and microseconds). */
  timestampSec: bigint;
  timestampUsec: bigint;
  status: number;
  blockSize: number;
  subHeaderBlocks: number;
  bitmapBlocks: number;
  maxMapnr: bigint;
  totalRamBlocks: number;
  currentCpu: number;
  nrCpus: number;
  sub: KdumpSubHeader;
}

export interface KdumpSubHeader {
  physBase: bigint;
  dumpLevel?: number;
  split?: boolean;
  startPfn?: bigint;
  endPfn?: bigint;
  vmcoreinfo?: { offset: number; size: number };
  notes?: { offset: number; size: number };
  eraseinfo?: { offset: number; size: number };
}

const UTS_LEN = 65;
const MAX_BLOCK = 1 << 20;

export function readKdumpHeader(source: ByteSource): KdumpHeader {
  const name = source.name;
  if (source.size < 464)
    throw corrupt(`${name}: kdump header`, 0, `file is ${source.size} bytes, need at least 464`);
  const h = source.read(0, 464);
  const signature = cString(h, 0, 8);
  if (signature !== 'KDUMP   ' && signature !== 'DISKDUMP') {
    throw corrupt(`${name}: kdump header`, 0, `signature "${signature}", expected "KDUMP   " or "DISKDUMP"`);
  }
  const headerVersion = i32(h, 8);
  const uts = (i: number): string => cString(h, 12 + i * UTS_LEN, UTS_LEN);
  const blockSize = i32(h, 428);
  const subHeaderBlocks = i32(h, 432);
  const bitmapBlocks = u32(h, 436);
  if (headerVersion < 0 || headerVersion > 64)
    throw corrupt(`${name}: kdump header_version`, 8, `${headerVersion}, expected 0..6`);
  if (blockSize < 512 || blockSize > MAX_BLOCK || (blockSize & (blockSize - 1)) !== 0) {
    throw corrupt(`${name}: kdump block_size`, 428, `${blockSize}, expected a power of two page size`);
  }
  if (subHeaderBlocks < 0 || subHeaderBlocks > 1 << 16)
    throw corrupt(`${name}: kdump sub_hdr_size`, 432, `${subHeaderBlocks} blocks`);
  if (bitmapBlocks === 0 || bitmapBlocks % 2 !== 0) {
    throw corrupt(
      `${name}: kdump bitmap_blocks`,
      436,
      `${bitmapBlocks}, expected an even non-zero number (two bitmaps)`,
    );
  }
  const header: KdumpHeader = {
    signature,
    headerVersion,
    utsname: {
      sysname: uts(0),
      nodename: uts(1),
      release: uts(2),
      version: uts(3),
      machine: uts(4),
      domainname: uts(5),
    },
    timestampSec: i64(h, 408),
    timestampUsec: i64(h, 416),
    status: u32(h, 424),
    blockSize,
    subHeaderBlocks,
    bitmapBlocks,
    maxMapnr: BigInt(u32(h, 440)),
    totalRamBlocks: u32(h, 444),
    currentCpu: u32(h, 456),
    nrCpus: i32(h, 460),
    sub: { physBase: 0n },
  };
  if (signature === 'KDUMP   ' && subHeaderBlocks > 0) header.sub = readSubHeader(source, header);
  if (header.sub.split) {
    throw new KtriageError(
      'unsupported',
      `${name}: split dump (makedumpfile --split, pfn ${header.sub.startPfn}..${header.sub.endPfn}): reassemble it with \`makedumpfile --reassemble\` first`,
      { path: name },
    );
  }
  return header;
}

function readSubHeader(source: ByteSource, header: KdumpHeader): KdumpSubHeader {
  const base = header.blockSize;
  const v = header.headerVersion;
  const s = source.read(base, Math.min(104, header.subHeaderBlocks * header.blockSize));
  const need = (n: number, what: string): void => {
    if (s.length < n) throw corrupt(`${source.name}: kdump sub-header`, base, `too small for ${what}`);
  };
  need(8, 'phys_base');
  const sub: KdumpSubHeader = { physBase: u64(s, 0) };
  if (v >= 1) {
    need(12, 'dump_level');
    sub.dumpLevel = i32(s, 8);
  }
  if (v >= 2) {
    need(32, 'split');
    sub.split = i32(s, 12) !== 0;
    sub.startPfn = u64(s, 16);
    sub.endPfn = u64(s, 24);
  }
  const area = (at: number, what: string): { offset: number; size: number } | undefined => {
    need(at + 16, what);
    const offset = u64n(s, at);
    const size = u64n(s, at + 8);
    if (offset === 0 && size === 0) return undefined;
    if (offset + size > source.size) {
      throw corrupt(
        `${source.name}: kdump sub-header ${what}`,
        base + at,
        `offset ${offset} + size ${size} passes the end of the file (${source.size} bytes): truncated?`,
      );
    }
    return { offset, size };
  };
  if (v >= 3) sub.vmcoreinfo = area(32, 'vmcoreinfo');
  if (v >= 4) sub.notes = area(48, 'notes');
  if (v >= 5) sub.eraseinfo = area(64, 'eraseinfo');
  if (v >= 6) {
    need(104, 'max_mapnr_64');
    sub.startPfn = u64(s, 80);
    sub.endPfn = u64(s, 88);
    header.maxMapnr = u64(s, 96);
  }
  return sub;
}

export function compressionNames(status: number): string[] {
  const names: string[] = [];
  if (status & KDUMP_STATUS.zlib) names.push('zlib');
  if (status & KDUMP_STATUS.lzo) names.push('lzo');
  if (status & KDUMP_STATUS.snappy) names.push('snappy');
  if (status & KDUMP_STATUS.zstd) names.push('zstd');
  return names;
}

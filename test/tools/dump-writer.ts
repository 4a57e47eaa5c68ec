/**
 * Writes dumps in every container we read — kdump-compressed (header v6, zlib/snappy/zstd or raw
 * pages), ELF64 and makedumpfile's flattened wrapping — from a set of real pages, notes and a
 * real kdump header. Used by shrink-dump.ts to make small real fixtures and by tests to check every
 * container and compression path on the same pages. Layouts: docs/formats.md.
 */

import { execFileSync } from 'node:child_process';
import { zlibSync } from 'fflate';
import { compress as snappyCompress } from 'snappyjs';

/** `keep`: the source's own compressed bytes, unchanged (real makedumpfile zlib/LZO output). */
export type WriteCompression = 'zlib' | 'snappy' | 'zstd' | 'none' | 'keep';

export interface DumpContent {
  pageSize: number;
  /** One past the highest PFN of RAM. */
  maxPfn: number;
  /** Kept pages by PFN (each pageSize bytes). */
  pages: Map<number, Uint8Array>;
  /** PFNs of RAM (the first bitmap); pages not kept read as "excluded". */
  present: (pfn: number) => boolean;
  /** The note area (NT_PRSTATUS per CPU + VMCOREINFO), verbatim from the source dump. */
  notes: Uint8Array;
  vmcoreinfo: string;
  /** Block 0 of the source kdump (464 bytes: signature, utsname, timestamp, …). */
  kdumpHeader: Uint8Array;
  /** The source sub-header (phys_base, dump_level, …), at least 104 bytes. */
  kdumpSubHeader: Uint8Array;
  /** Pages as the source stored them (compressed bytes + descriptor flags), for `keep` mode. */
  stored?: Map<number, { data: Uint8Array; flags: number }>;
  /** Header status of the source (compression bits). */
  sourceStatus?: number;
}

const FLAG = { zlib: 0x1, snappy: 0x4, zstd: 0x20, none: 0, keep: 0 } as const;

export function compressPage(page: Uint8Array, method: WriteCompression): Uint8Array {
  switch (method) {
    case 'zlib':
      return zlibSync(page, { level: 6 });
    case 'snappy':
      return snappyCompress(page);
    case 'zstd':
      // The reference zstd compressor (CLI): fzstd, our reader's library, only decompresses.
      return new Uint8Array(execFileSync('zstd', ['-q', '-c', '-3', '--no-check'], { input: page }));
    case 'none':
    case 'keep':
      return page;
  }
}

export function writeKdump(c: DumpContent, method: WriteCompression): Uint8Array {
  const bs = c.pageSize;
  const sortedPfns = [...c.pages.keys()].sort((a, b) => a - b);
  const noteBytes = c.notes;
  const vmcoreinfo = new TextEncoder().encode(c.vmcoreinfo);
  // Sub-header struct (104 bytes) then notes and VMCOREINFO, in whole blocks.
  const subBytes = 104 + noteBytes.length + vmcoreinfo.length;
  const subBlocks = Math.ceil(subBytes / bs);
  const bitmapHalf = Math.ceil(Math.ceil(c.maxPfn / 8) / bs) * bs;
  const bitmapBlocks = (2 * bitmapHalf) / bs;
  const descStart = (1 + subBlocks + bitmapBlocks) * bs;
  const dataStart = descStart + sortedPfns.length * 24;
  const chunks = sortedPfns.map((pfn) => {
    // keep: the source's compressed bytes as they are; its raw pages zlib'd when the source is zlib.
    const kept = method === 'keep' ? c.stored?.get(pfn) : undefined;
    if (kept && (kept.flags !== 0 || ((c.sourceStatus ?? 0) & FLAG.zlib) === 0)) return kept;
    if (kept) {
      const packed = compressPage(kept.data, 'zlib');
      return packed.length < bs ? { data: packed, flags: FLAG.zlib } : kept;
    }
    const page = c.pages.get(pfn)!;
    const packed = compressPage(page, method);
    return packed.length < bs && method !== 'none'
      ? { data: packed, flags: FLAG[method] }
      : { data: page, flags: 0 };
  });
  const total = dataStart + chunks.reduce((n, ch) => n + ch.data.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(c.kdumpHeader.subarray(0, 464), 0);
  // status: compression of the pages
  view.setUint32(424, method === 'keep' ? (c.sourceStatus ?? 0) : FLAG[method], true);
  view.setInt32(432, subBlocks, true);
  view.setUint32(436, bitmapBlocks, true);
  view.setUint32(440, Math.min(c.maxPfn, 0xffffffff), true);
  const sub = bs;
  out.set(c.kdumpSubHeader.subarray(0, 104), sub);
  view.setBigUint64(sub + 32, BigInt(sub + 104 + noteBytes.length), true); // offset_vmcoreinfo
  view.setBigUint64(sub + 40, BigInt(vmcoreinfo.length), true);
  view.setBigUint64(sub + 48, BigInt(sub + 104), true); // offset_note
  view.setBigUint64(sub + 56, BigInt(noteBytes.length), true);
  view.setBigUint64(sub + 64, 0n, true); // no eraseinfo
  view.setBigUint64(sub + 72, 0n, true);
  view.setBigUint64(sub + 96, BigInt(c.maxPfn), true); // max_mapnr_64
  out.set(noteBytes, sub + 104);
  out.set(vmcoreinfo, sub + 104 + noteBytes.length);
  const bitmap1 = (1 + subBlocks) * bs;
  const bitmap2 = bitmap1 + bitmapHalf;
  for (let pfn = 0; pfn < c.maxPfn; pfn++) {
    if (c.present(pfn) || c.pages.has(pfn)) out[bitmap1 + (pfn >> 3)]! |= 1 << (pfn & 7);
  }
  let dataAt = dataStart;
  sortedPfns.forEach((pfn, i) => {
    out[bitmap2 + (pfn >> 3)]! |= 1 << (pfn & 7);
    const d = descStart + i * 24;
    const chunk = chunks[i]!;
    view.setBigInt64(d, BigInt(dataAt), true);
    view.setUint32(d + 8, chunk.data.length, true);
    view.setUint32(d + 12, chunk.flags, true);
    out.set(chunk.data, dataAt);
    dataAt += chunk.data.length;
  });
  return out;
}

/** ELF64 core: PT_NOTE (the notes, VMCOREINFO as its own note) + one PT_LOAD per run of pages. */
export function writeElf(c: DumpContent): Uint8Array {
  const bs = c.pageSize;
  const runs: { pfn: number; count: number }[] = [];
  for (const pfn of [...c.pages.keys()].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && last.pfn + last.count === pfn) last.count++;
    else runs.push({ pfn, count: 1 });
  }
  const notes = hasVmcoreinfoNote(c.notes) ? c.notes : concat(c.notes, vmcoreinfoNote(c.vmcoreinfo));
  const phnum = 1 + runs.length;
  const notesAt = 64 + phnum * 56;
  let dataAt = notesAt + notes.length;
  const out = new Uint8Array(dataAt + c.pages.size * bs);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, 4, true); // ET_CORE
  v.setUint16(18, 62, true); // EM_X86_64
  v.setUint32(20, 1, true);
  v.setBigUint64(32, 64n, true); // e_phoff
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, phnum, true);
  const phdr = (i: number, type: number, offset: number, paddr: bigint, size: number): void => {
    const at = 64 + i * 56;
    v.setUint32(at, type, true);
    v.setUint32(at + 4, 7, true);
    v.setBigUint64(at + 8, BigInt(offset), true);
    v.setBigUint64(at + 24, paddr, true);
    v.setBigUint64(at + 32, BigInt(size), true);
    v.setBigUint64(at + 40, BigInt(size), true);
  };
  phdr(0, 4, notesAt, 0n, notes.length);
  out.set(notes, notesAt);
  runs.forEach((run, i) => {
    phdr(1 + i, 1, dataAt, BigInt(run.pfn) * BigInt(bs), run.count * bs);
    for (let k = 0; k < run.count; k++) out.set(c.pages.get(run.pfn + k)!, dataAt + k * bs);
    dataAt += run.count * bs;
  });
  return out;
}

/** makedumpfile -F framing: a 4096-byte header, then {be64 offset, be64 size} + data records. */
export function toFlattened(dump: Uint8Array, recordSize = 65536): Uint8Array {
  const records = Math.ceil(dump.length / recordSize);
  const out = new Uint8Array(4096 + records * 16 + dump.length + 16);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode('makedumpfile'), 0);
  v.setBigInt64(16, 1n, false);
  v.setBigInt64(24, 1n, false);
  let at = 4096;
  // Written out of order on purpose (makedumpfile writes the header last).
  const order = [...Array(records).keys()].reverse();
  for (const r of order) {
    const start = r * recordSize;
    const size = Math.min(recordSize, dump.length - start);
    v.setBigInt64(at, BigInt(start), false);
    v.setBigInt64(at + 8, BigInt(size), false);
    out.set(dump.subarray(start, start + size), at + 16);
    at += 16 + size;
  }
  v.setBigInt64(at, -1n, false);
  v.setBigInt64(at + 8, 0n, false);
  return out.subarray(0, at + 16);
}

function hasVmcoreinfoNote(notes: Uint8Array): boolean {
  return new TextDecoder('latin1').decode(notes).includes('VMCOREINFO\0');
}

function vmcoreinfoNote(text: string): Uint8Array {
  const name = new TextEncoder().encode('VMCOREINFO\0');
  const desc = new TextEncoder().encode(text);
  const pad = (n: number) => Math.ceil(n / 4) * 4;
  const out = new Uint8Array(12 + pad(name.length) + pad(desc.length));
  const v = new DataView(out.buffer);
  v.setUint32(0, name.length, true);
  v.setUint32(4, desc.length, true);
  out.set(name, 12);
  out.set(desc, 12 + pad(name.length));
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

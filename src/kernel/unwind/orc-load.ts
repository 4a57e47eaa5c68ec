/**
 * Loading the ORC tables of a running kernel from its memory: vmlinux's between
 * `__start_orc_unwind_ip`/`__stop_orc_unwind_ip` and `__start_orc_unwind`, with the `orc_lookup`
 * block index `unwind_init()` filled at boot; each module's from `struct module`'s
 * `arch.orc_unwind_ip`, `arch.orc_unwind`, `arch.num_orcs` (sorted by `unwind_module_init()` when
 * it was loaded). Public names: KernelLayout, NamedAddresses, ModuleText, loadKernelOrc,
 * loadModuleOrc, OrcSetup.
 */

import { KtriageError } from '../../errors.js';
import { detectOrcVersion, ORC_ENTRY_SIZE, type OrcVersion } from './orc-format.js';
import { MAX_ORC_ENTRIES, type OrcLookup, OrcTable } from './orc-table.js';
import { MemoryTableBytes, type ReadVirt, TableBytesMissing } from './table-bytes.js';

/** Struct layout answers (from BTF): byte offset of a dotted member path, size of a struct. */
export interface KernelLayout {
  offsetOf(struct: string, path: string): number | undefined;
  sizeOf(struct: string): number | undefined;
  /** Size of a member's type (arrays: the whole array). */
  memberSize?(struct: string, path: string): number | undefined;
}

/** Symbol name → address (kallsyms, System.map). */
export interface NamedAddresses {
  address(name: string): bigint | undefined;
}

/** A loaded module as the symbol layer lists it. */
export interface ModuleText {
  name: string;
  /** Address of its `struct module`. */
  address: bigint;
  regions: { base: bigint; size: number }[];
}

export interface OrcSetup {
  table: OrcTable;
  /** Text ranges the table answers for. */
  ranges: { start: bigint; end: bigint }[];
  versionWhy: string;
}

const SAMPLE = 1024;

function readU32(read: ReadVirt, at: bigint): number | undefined {
  const b = read(at, 4);
  return b ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : undefined;
}

function readU64(read: ReadVirt, at: bigint): bigint | undefined {
  const b = read(at, 8);
  return b ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) : undefined;
}

/** Flags words from three places in the table (start, middle, end), for version detection. */
function sampleFlags(entries: MemoryTableBytes, count: number): number[] {
  const out: number[] = [];
  const starts = [0, Math.max(0, (count >> 1) - SAMPLE / 2), Math.max(0, count - SAMPLE)];
  for (const s of new Set(starts)) {
    for (let i = s; i < Math.min(count, s + SAMPLE); i++) {
      try {
        out.push(entries.u16(i * ORC_ENTRY_SIZE + 4));
      } catch (error) {
        if (!(error instanceof TableBytesMissing)) throw error;
        break;
      }
    }
  }
  return out;
}

/** vmlinux's ORC table; throws a `missingData` KtriageError when the kernel has none. */
export function loadKernelOrc(
  read: ReadVirt,
  symbols: NamedAddresses,
  release: string | undefined,
): OrcSetup {
  const need = (name: string): bigint => {
    const a = symbols.address(name);
    if (a === undefined) {
      throw new KtriageError(
        'missingData',
        `no symbol ${name}: the kernel has no ORC tables (CONFIG_UNWINDER_ORC off?)`,
      );
    }
    return a;
  };
  const ipStart = need('__start_orc_unwind_ip');
  const ipStop = need('__stop_orc_unwind_ip');
  // The linker script puts .orc_unwind right after .orc_unwind_ip.
  const orcStart = symbols.address('__start_orc_unwind') ?? ipStop;
  const span = ipStop - ipStart;
  if (span < 0n || span % 4n !== 0n || span / 4n > BigInt(MAX_ORC_ENTRIES)) {
    throw new KtriageError(
      'corrupt',
      `ORC table: __start/__stop_orc_unwind_ip span 0x${span.toString(16)} bytes is not a table`,
    );
  }
  const count = Number(span / 4n);
  const stopOrc = symbols.address('__stop_orc_unwind');
  if (stopOrc !== undefined && stopOrc - orcStart !== BigInt(count * ORC_ENTRY_SIZE)) {
    throw new KtriageError('corrupt', `ORC table: ${count} IPs but ${stopOrc - orcStart} bytes of entries`);
  }
  const entryBytes = new MemoryTableBytes(read, orcStart, count * ORC_ENTRY_SIZE);
  const guess = detectOrcVersion(sampleFlags(entryBytes, count), release);
  const stext = symbols.address('_stext');
  const etext = symbols.address('_etext');
  let lookup: OrcLookup | undefined;
  const lookupAt = symbols.address('orc_lookup');
  const lookupEnd = symbols.address('orc_lookup_end');
  const blocksAt = symbols.address('lookup_num_blocks');
  if (lookupAt !== undefined && stext !== undefined && etext !== undefined) {
    const declared = blocksAt !== undefined ? readU32(read, blocksAt) : undefined;
    const byEnd = lookupEnd !== undefined ? Number((lookupEnd - lookupAt) / 4n) : undefined;
    const blocks = declared ?? byEnd;
    // A zero `lookup_num_blocks` means unwind_init() never ran (or gave up): no fast path then.
    if (blocks !== undefined && blocks > 1 && blocks <= (byEnd ?? blocks)) {
      lookup = { bytes: new MemoryTableBytes(read, lookupAt, blocks * 4), blocks, start: stext, stop: etext };
    }
  }
  const table = new OrcTable({
    name: 'vmlinux',
    ipBytes: new MemoryTableBytes(read, ipStart, count * 4),
    ipBase: ipStart,
    entryBytes,
    count,
    version: guess.version,
    ...(lookup ? { lookup } : {}),
  });
  const ranges: { start: bigint; end: bigint }[] = [];
  if (stext !== undefined && etext !== undefined) ranges.push({ start: stext, end: etext });
  const sinit = symbols.address('_sinittext');
  const einit = symbols.address('_einittext');
  if (sinit !== undefined && einit !== undefined) ranges.push({ start: sinit, end: einit });
  if (ranges.length === 0) {
    const b = table.bounds();
    if (b) ranges.push({ start: b.first, end: b.last + 1n });
  }
  return { table, ranges, versionWhy: guess.why };
}

/** A module's ORC table, or undefined when it has none / its `struct module` is unreadable. */
export function loadModuleOrc(
  read: ReadVirt,
  layout: KernelLayout,
  mod: ModuleText,
  version: OrcVersion,
): OrcSetup | undefined {
  const numAt = layout.offsetOf('module', 'arch.num_orcs');
  const ipAt = layout.offsetOf('module', 'arch.orc_unwind_ip');
  const orcAt = layout.offsetOf('module', 'arch.orc_unwind');
  if (numAt === undefined || ipAt === undefined || orcAt === undefined) return undefined;
  const count = readU32(read, mod.address + BigInt(numAt));
  const ip = readU64(read, mod.address + BigInt(ipAt));
  const orc = readU64(read, mod.address + BigInt(orcAt));
  if (count === undefined || !ip || !orc || count === 0 || count > MAX_ORC_ENTRIES) return undefined;
  const table = new OrcTable({
    name: mod.name,
    ipBytes: new MemoryTableBytes(read, ip, count * 4),
    ipBase: ip,
    entryBytes: new MemoryTableBytes(read, orc, count * ORC_ENTRY_SIZE),
    count,
    version,
  });
  return {
    table,
    ranges: mod.regions.map((r) => ({ start: r.base, end: r.base + BigInt(r.size) })),
    versionWhy: 'same as vmlinux',
  };
}

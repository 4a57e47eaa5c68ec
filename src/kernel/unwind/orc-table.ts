/**
 * ORC tables and their lookup, as arch/x86/kernel/unwind_orc.c does it: `.orc_unwind_ip` holds one
 * s32 per entry, the entry's IP relative to the s32's own address; `.orc_unwind` the entries in the
 * same order, sorted by IP (at build time by `sorttable`, or at boot by `unwind_init()`). The entry
 * for an IP is the rightmost one at or below it. vmlinux text also has `orc_lookup[]`, filled at boot:
 * for each 256-byte block of `_stext.._etext` the index of the entry covering its start, which
 * narrows the binary search to a few entries. Public names: OrcTable, OrcTableParts, OrcTables,
 * OrcLookup, LOOKUP_BLOCK_SIZE, MAX_ORC_ENTRIES.
 */

import { corrupt } from '../../errors.js';
import { decodeOrcFlags, ORC_ENTRY_SIZE, type OrcEntry, type OrcVersion } from './orc-format.js';
import { type TableBytes, TableBytesMissing } from './table-bytes.js';

/** LOOKUP_BLOCK_ORDER 8 (arch/x86/include/asm/orc_lookup.h), unchanged since v4.14. */
export const LOOKUP_BLOCK_SIZE = 256;

/** vmlinux has ~400k entries for ~20 MB of text; 16M entries would be a 100 MB table: refuse. */
export const MAX_ORC_ENTRIES = 16_000_000;

export interface OrcLookup {
  /** `orc_lookup[]`: u32 per block. */
  bytes: TableBytes;
  /** `lookup_num_blocks` (orc_lookup_end - orc_lookup). */
  blocks: number;
  /** LOOKUP_START_IP (`_stext`) and LOOKUP_STOP_IP (`_etext`). */
  start: bigint;
  stop: bigint;
}

export interface OrcTableParts {
  /** Where the table came from, for messages (`vmlinux`, `lab_abba`). */
  name: string;
  ipBytes: TableBytes;
  /** Address of `.orc_unwind_ip` (the IPs are relative to their own slots). */
  ipBase: bigint;
  entryBytes: TableBytes;
  count: number;
  version: OrcVersion;
  lookup?: OrcLookup;
}

const FAR = 2 ** 46;

export class OrcTable {
  readonly name: string;
  readonly count: number;
  readonly version: OrcVersion;
  private readonly ipBytes: TableBytes;
  private readonly ipBase: bigint;
  private readonly entryBytes: TableBytes;
  private readonly lookup: OrcLookup | undefined;

  constructor(parts: OrcTableParts) {
    if (!Number.isSafeInteger(parts.count) || parts.count < 0 || parts.count > MAX_ORC_ENTRIES) {
      throw corrupt(
        `ORC table of ${parts.name}`,
        undefined,
        `${parts.count} entries, expected 0..${MAX_ORC_ENTRIES}`,
      );
    }
    if (parts.ipBytes.length < parts.count * 4 || parts.entryBytes.length < parts.count * ORC_ENTRY_SIZE) {
      throw corrupt(
        `ORC table of ${parts.name}`,
        undefined,
        `${parts.count} entries do not fit its sections`,
      );
    }
    this.name = parts.name;
    this.count = parts.count;
    this.version = parts.version;
    this.ipBytes = parts.ipBytes;
    this.ipBase = parts.ipBase;
    this.entryBytes = parts.entryBytes;
    this.lookup = parts.lookup;
  }

  /** IP of entry `i`, relative to `ipBase` (a plain number: kernel IPs are within ±2 GiB of the table). */
  private relIp(i: number): number {
    return i * 4 + this.ipBytes.i32(i * 4);
  }

  /** Absolute IP of entry `i`. */
  ipAt(i: number): bigint {
    return this.ipBase + BigInt(this.relIp(i));
  }

  /** Entry `i` decoded into `out`. */
  entryAt(i: number, out: OrcEntry): OrcEntry {
    const at = i * ORC_ENTRY_SIZE;
    out.spOffset = this.entryBytes.i16(at);
    out.bpOffset = this.entryBytes.i16(at + 2);
    return decodeOrcFlags(this.entryBytes.u16(at + 4), this.version, out);
  }

  /** Raw flags word of entry `i` (version detection). */
  flagsAt(i: number): number {
    return this.entryBytes.u16(i * ORC_ENTRY_SIZE + 4);
  }

  /**
   * Index of the rightmost entry in [first, first+n) whose IP is ≤ ip, or -1. Like the kernel's
   * `__orc_find`, duplicates resolve to the rightmost, so the weak section terminators sorted in
   * front of real entries lose.
   */
  private search(first: number, n: number, rel: number, exactStart: boolean): number {
    let lo = first;
    let hi = first + n - 1;
    let found = exactStart ? -1 : first;
    while (lo <= hi) {
      const mid = lo + ((hi - lo) >> 1);
      if (this.relIp(mid) <= rel) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Does this table's fast lookup cover `ip`? */
  coversFast(ip: bigint): boolean {
    return this.lookup !== undefined && ip >= this.lookup.start && ip < this.lookup.stop;
  }

  /** Lowest and highest IP in the table (reads two entries). */
  bounds(): { first: bigint; last: bigint } | undefined {
    if (this.count === 0) return undefined;
    return { first: this.ipAt(0), last: this.ipAt(this.count - 1) };
  }

  /**
   * The entry index for `ip`, or -1 (no entry, or the table's bytes are missing from the dump).
   * Uses `orc_lookup` inside `_stext.._etext`, a binary search over the whole table elsewhere.
   */
  findIndex(ip: bigint): number {
    if (this.count === 0) return -1;
    const relBig = ip - this.ipBase;
    if (relBig > BigInt(FAR) || relBig < -BigInt(FAR)) return -1;
    const rel = Number(relBig);
    try {
      const lk = this.lookup;
      if (lk && ip >= lk.start && ip < lk.stop) {
        const idx = Number((ip - lk.start) / BigInt(LOOKUP_BLOCK_SIZE));
        if (idx >= lk.blocks - 1) return -1;
        const start = lk.bytes.u32(idx * 4);
        const stop = lk.bytes.u32((idx + 1) * 4) + 1;
        if (start >= this.count || stop > this.count || stop <= start) return -1;
        return this.search(start, stop - start, rel, false);
      }
      return this.search(0, this.count, rel, true);
    } catch (error) {
      if (error instanceof TableBytesMissing) return -1;
      throw error;
    }
  }

  /** Decodes the entry for `ip` into `out`; false when there is none. */
  find(ip: bigint, out: OrcEntry): boolean {
    const i = this.findIndex(ip);
    if (i < 0) return false;
    try {
      this.entryAt(i, out);
      return true;
    } catch (error) {
      if (error instanceof TableBytesMissing) return false;
      throw error;
    }
  }
}

/** A text range a table answers for (vmlinux text and init text; a module's loaded regions). */
export interface OrcRange {
  start: bigint;
  end: bigint;
  table: OrcTable;
}

/** vmlinux's table plus one per module, chosen by the address being unwound (`orc_find`). */
export class OrcTables {
  private readonly ranges: OrcRange[] = [];

  add(table: OrcTable, start: bigint, end: bigint): void {
    if (end > start) this.ranges.push({ start, end, table });
  }

  get tables(): OrcTable[] {
    return [...new Set(this.ranges.map((r) => r.table))];
  }

  tableFor(ip: bigint): OrcTable | undefined {
    for (const r of this.ranges) if (ip >= r.start && ip < r.end) return r.table;
    return undefined;
  }

  find(ip: bigint, out: OrcEntry): boolean {
    const table = this.tableFor(ip);
    return table ? table.find(ip, out) : false;
  }
}

/**
 * The kernel's own symbol table (kallsyms), decoded from its memory. Since Linux 6.0 VMCOREINFO names
 * the tables (5fd8fea935a1 "vmcoreinfo: include kallsyms symbols", f09bddbd8661 "vmcoreinfo: add
 * kallsyms_num_syms symbol"); a vmlinux ELF holds the same tables at link-time addresses.
 *
 * Names: `kallsyms_names` is a sequence of entries `len, token…`; each token byte indexes
 * `kallsyms_token_index` (256 × u16) into `kallsyms_token_table` (NUL-terminated strings). The first
 * decoded character is the type letter. Since 73bbb94466fd ("kallsyms: support "big" kernel
 * symbols", v6.1) a `len` with bit 7 set continues in a second byte (ULEB128, two bytes at most);
 * nothing in the data says which rule applies (distributions backport), so the release is only the
 * first guess and `kallsyms_markers[]` (found by name in the decoded table) settles it.
 *
 * Addresses, four encodings over time (the one that reproduces VMCOREINFO's `_stext` wins):
 * - absolute: `kallsyms_addresses[]`, one unsigned long per symbol (all kernels until
 *   2213e9a66bb8 "kallsyms: add support for relative offsets in kallsyms address table", v4.6, made
 *   the relative form the default; removed by 64e166099b69 "kallsyms: get rid of code for absolute
 *   kallsyms", v6.11);
 * - base-relative: `kallsyms_relative_base + (u32)kallsyms_offsets[i]` (v4.6 until v7.0);
 * - absolute-percpu: as base-relative, but offsets ≥ 0 are absolute per-cpu addresses and negative
 *   ones are `relative_base - 1 - offset` (x86_64 SMP, CONFIG_KALLSYMS_ABSOLUTE_PERCPU, v4.6 until
 *   01157ddc58dc "kallsyms: Remove KALLSYMS_ABSOLUTE_PERCPU", v6.15);
 * - place-relative: `&kallsyms_offsets[i] + (s32)kallsyms_offsets[i]`, no relative base
 *   (a081b5789255 "kallsyms: Get rid of kallsyms relative base", v7.0).
 *
 * Public names: KallsymsLocations, decodeKallsyms, KallsymsEncoding, usesLongNames.
 */

import { corrupt, KtriageError } from '../../errors.js';
import type { MemoryView } from '../../model/memory.js';
import { type KallsymsNames, KallsymsTokens, walkKallsymsNames } from './kallsyms-names.js';
import { SymbolTable } from './table.js';

export interface KallsymsLocations {
  names: bigint;
  numSyms: bigint;
  tokenTable: bigint;
  tokenIndex: bigint;
  offsets?: bigint;
  relativeBase?: bigint;
  addresses?: bigint;
}

export type KallsymsEncoding = 'absolute' | 'base-relative' | 'absolute-percpu' | 'place-relative';

export interface KallsymsOptions {
  /** The `_stext` address the decoding must reproduce (VMCOREINFO `SYMBOL(_stext)`). */
  stext?: bigint;
  /** Two-byte lengths (v6.1+); see usesLongNames. */
  longNames: boolean;
}

/** More symbols than any kernel has (6.x x86_64 allyesconfig: ~400k). */
const MAX_SYMS = 4_000_000;
const MAX_TOKEN_TABLE = 64 * 1024;

/** 73bbb94466fd (v6.1) changed the meaning of length bytes ≥ 0x80 without any marker in the data. */
export function usesLongNames(osrelease: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(osrelease ?? '');
  if (!m) return true;
  const major = Number(m[1]);
  return major > 6 || (major === 6 && Number(m[2]) >= 1);
}

function need(mem: MemoryView, address: bigint, length: number, what: string): Uint8Array {
  const bytes = mem.read(address, length);
  if (!bytes || bytes.length < length) {
    throw new KtriageError(
      'missingData',
      `kallsyms: ${what} at 0x${address.toString(16)} (${length} bytes) is not in the dump`,
    );
  }
  return bytes;
}

function readTokens(mem: MemoryView, loc: KallsymsLocations): Uint8Array[] {
  const indexBytes = need(mem, loc.tokenIndex, 512, 'kallsyms_token_index');
  const index = new DataView(indexBytes.buffer, indexBytes.byteOffset, 512);
  let maxStart = 0;
  for (let i = 0; i < 256; i++) maxStart = Math.max(maxStart, index.getUint16(2 * i, true));
  // The table ends with the NUL of the token that starts last; tokens are short.
  let table = mem.read(loc.tokenTable, maxStart + 256);
  if (!table || table.indexOf(0, maxStart) < 0) {
    // Near the end of what is readable: take the last token byte by byte.
    const head = need(mem, loc.tokenTable, maxStart, 'kallsyms_token_table');
    const tail: number[] = [];
    for (let b = -1; b !== 0 && tail.length < MAX_TOKEN_TABLE; ) {
      b = need(mem, loc.tokenTable + BigInt(maxStart + tail.length), 1, 'kallsyms_token_table')[0]!;
      tail.push(b);
    }
    table = new Uint8Array(maxStart + tail.length);
    table.set(head);
    table.set(tail, maxStart);
  }
  const tokens: Uint8Array[] = new Array(256);
  for (let i = 0; i < 256; i++) {
    const start = index.getUint16(2 * i, true);
    const end = table.indexOf(0, start);
    if (end < 0) throw corrupt('kallsyms_token_table', start, `token ${i} is not NUL-terminated`);
    tokens[i] = table.subarray(start, end);
  }
  return tokens;
}

/**
 * kallsyms_markers[k] is the offset of entry 256·k in kallsyms_names (u32 since 6.2, unsigned long
 * before): if the last one agrees with our walk, the length bytes were read the right way.
 */
function marksAgree(mem: MemoryView, d: Decoded): boolean | undefined {
  const { markers, marks } = d;
  if (markers === undefined || marks.length < 2) return undefined;
  const k = marks.length - 1;
  const want = marks[k]!;
  return (
    mem.readU32(markers + BigInt(4 * k)) === want || mem.readU64(markers + BigInt(8 * k)) === BigInt(want)
  );
}

/** Address of symbol i under an encoding (one symbol: used to test the encodings on `_stext`). */
function addressOf(
  encoding: KallsymsEncoding,
  raw: DataView,
  i: number,
  loc: KallsymsLocations,
  base: bigint,
): bigint {
  const mask = (1n << 64n) - 1n;
  switch (encoding) {
    case 'absolute':
      return raw.getBigUint64(8 * i, true);
    case 'base-relative':
      return (base + BigInt(raw.getUint32(4 * i, true))) & mask;
    case 'absolute-percpu': {
      const v = raw.getInt32(4 * i, true);
      return v >= 0 ? BigInt(v) : (base - 1n - BigInt(v)) & mask;
    }
    case 'place-relative':
      return (loc.offsets! + BigInt(4 * i) + BigInt(raw.getInt32(4 * i, true))) & mask;
  }
}

/**
 * All addresses under an encoding, computed in 32-bit halves straight into the result's words: a
 * BigInt per symbol would cost more than the rest of the decoding. One loop per encoding, with no
 * closure, so that a cold run (a CLI's only one) is not spent in the interpreter.
 */
function interpret(
  encoding: KallsymsEncoding,
  raw: DataView,
  count: number,
  loc: KallsymsLocations,
  base: bigint,
): BigUint64Array {
  const out = new BigUint64Array(count);
  if (encoding === 'absolute') {
    for (let i = 0; i < count; i++) out[i] = raw.getBigUint64(8 * i, true);
    return out;
  }
  const words = new Uint32Array(out.buffer);
  const anchor = encoding === 'place-relative' ? (loc.offsets ?? 0n) : base;
  const lo32 = Number(anchor & 0xffffffffn);
  const hi32 = Number((anchor >> 32n) & 0xffffffffn);
  const hiPlus = (hi32 + 1) >>> 0;
  const hiMinus = (hi32 - 1) >>> 0;
  // anchor + delta, delta a signed 33-bit number: the low word with its carry or borrow.
  switch (encoding) {
    case 'base-relative':
      for (let i = 0; i < count; i++) {
        const lo = lo32 + raw.getUint32(4 * i, true);
        const carry = lo >= 0x100000000;
        words[2 * i] = carry ? lo - 0x100000000 : lo;
        words[2 * i + 1] = carry ? hiPlus : hi32;
      }
      break;
    case 'absolute-percpu':
      for (let i = 0; i < count; i++) {
        const v = raw.getInt32(4 * i, true);
        if (v >= 0) {
          words[2 * i] = v;
          words[2 * i + 1] = 0;
        } else {
          const lo = lo32 - 1 - v;
          const carry = lo >= 0x100000000;
          words[2 * i] = carry ? lo - 0x100000000 : lo;
          words[2 * i + 1] = carry ? hiPlus : hi32;
        }
      }
      break;
    case 'place-relative':
      for (let i = 0; i < count; i++) {
        const lo = lo32 + 4 * i + raw.getInt32(4 * i, true);
        const carry = lo >= 0x100000000;
        const borrow = lo < 0;
        words[2 * i] = carry ? lo - 0x100000000 : borrow ? lo + 0x100000000 : lo;
        words[2 * i + 1] = carry ? hiPlus : borrow ? hiMinus : hi32;
      }
      break;
  }
  return out;
}

/** Decodes kallsyms from memory into a symbol table; `encoding` says which address form it found. */
export function decodeKallsyms(
  mem: MemoryView,
  loc: KallsymsLocations,
  options: KallsymsOptions,
): { table: SymbolTable; encoding: KallsymsEncoding } {
  const count = mem.readU32(loc.numSyms);
  if (count === undefined)
    throw new KtriageError(
      'missingData',
      `kallsyms: kallsyms_num_syms at 0x${loc.numSyms.toString(16)} is not in the dump`,
    );
  if (count === 0 || count > MAX_SYMS)
    throw corrupt('kallsyms_num_syms', loc.numSyms, `${count} symbols is not plausible`);
  const tokens = new KallsymsTokens(readTokens(mem, loc));
  const addresses = readAddresses(mem, loc, count);

  // Two-byte lengths or not (usesLongNames is a guess): try the guess, then the other way if the
  // kernel's kallsyms_markers[] disagrees with where our walk put the entries.
  let decoded: Decoded | undefined;
  let failure: unknown;
  for (const long of [options.longNames, !options.longNames]) {
    let d: Decoded;
    try {
      d = decodeWith(mem, loc, count, tokens, long, addresses, options.stext);
    } catch (error) {
      if (!(error instanceof KtriageError)) throw error;
      failure ??= error;
      continue;
    }
    decoded ??= d;
    if (marksAgree(mem, d) !== false) {
      decoded = d;
      break;
    }
  }
  if (!decoded) throw failure;
  const { names, chosen } = decoded;
  const table = SymbolTable.ascending(chosen.addresses)
    ? new SymbolTable(names, chosen.addresses)
    : SymbolTable.fromEntries(
        Array.from({ length: count }, (_, i) => ({
          type: names.type(i),
          name: names.name(i),
          address: chosen.addresses[i]!,
        })),
      );
  return { table, encoding: chosen.encoding };
}

interface RawAddresses {
  candidates: KallsymsEncoding[];
  view: DataView;
  base: bigint;
}

function readAddresses(mem: MemoryView, loc: KallsymsLocations, count: number): RawAddresses {
  if (loc.addresses !== undefined) {
    const raw = need(mem, loc.addresses, count * 8, 'kallsyms_addresses');
    return {
      candidates: ['absolute'],
      view: new DataView(raw.buffer, raw.byteOffset, raw.byteLength),
      base: 0n,
    };
  }
  if (loc.offsets === undefined) {
    throw new KtriageError(
      'missingData',
      'kallsyms: neither kallsyms_offsets nor kallsyms_addresses is known',
    );
  }
  const raw = need(mem, loc.offsets, count * 4, 'kallsyms_offsets');
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (loc.relativeBase === undefined) return { candidates: ['place-relative'], view, base: 0n };
  const base = mem.readU64(loc.relativeBase);
  if (base === undefined)
    throw new KtriageError('missingData', 'kallsyms: kallsyms_relative_base is not in the dump');
  return { candidates: ['absolute-percpu', 'base-relative', 'place-relative'], view, base };
}

interface Decoded {
  names: KallsymsNames;
  /** Byte offset in kallsyms_names of entries 0, 256, 512, …: what kallsyms_markers[] holds. */
  marks: number[];
  /** Address of kallsyms_markers, as the decoded table names it (VMCOREINFO does not). */
  markers?: bigint;
  chosen: { encoding: KallsymsEncoding; addresses: BigUint64Array };
}

function decodeWith(
  mem: MemoryView,
  loc: KallsymsLocations,
  count: number,
  tokens: KallsymsTokens,
  long: boolean,
  raw: RawAddresses,
  stext: bigint | undefined,
): Decoded {
  const { names, marks } = walkKallsymsNames(mem, loc.names, count, tokens, long);
  // The two names the decoding itself needs (the last entry of a name, should it repeat).
  const stextIndex = stext === undefined ? -1 : names.lastIndexOf('_stext', count);
  const markersIndex = names.lastIndexOf('kallsyms_markers', count);
  for (const encoding of raw.candidates) {
    if (stextIndex >= 0 && addressOf(encoding, raw.view, stextIndex, loc, raw.base) !== stext) continue;
    const addresses = interpret(encoding, raw.view, count, loc, raw.base);
    if (stextIndex >= 0 || isSorted(addresses)) {
      const markers = markersIndex < 0 ? undefined : addresses[markersIndex];
      return { names, marks, markers, chosen: { encoding, addresses } };
    }
  }
  const why =
    stextIndex >= 0
      ? `no encoding puts _stext at 0x${stext!.toString(16)}`
      : 'no encoding gives sorted addresses';
  throw corrupt('kallsyms address table', loc.offsets ?? loc.addresses, why);
}

function isSorted(a: BigUint64Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i]! < a[i - 1]!) return false;
  return true;
}

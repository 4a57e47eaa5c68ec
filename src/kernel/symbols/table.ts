/**
 * A sorted symbol table: address → `func+0x1a/0x40`, name → address. Built once from kallsyms, a
 * System.map or an ELF symtab; lookups are binary searches over a BigUint64Array, names are indexed
 * on the first by-name query. Aliases at one address are ordered as the kernel's scripts/kallsyms.c
 * orders them (non-weak first, then fewer leading underscores), so the name printed for an address
 * is the one an oops would print. Public names: SymbolTable, SymbolEntry, SymbolNames, TextNames,
 * nameHash, MAX_SYMBOL_SIZE.
 */

import type { SymbolInfo } from '../../model/memory.js';

export interface SymbolEntry {
  name: string;
  address: bigint;
  /** kallsyms / nm type letter. */
  type: string;
}

/**
 * A symbol "contains" the bytes up to the next symbol, but not across a gap this large: the last
 * per-cpu symbol is followed by the whole direct map before the kernel image starts.
 */
export const MAX_SYMBOL_SIZE = 0x100000;

/**
 * The names of a table's symbols, by index in table order. Kallsyms keeps them compressed and
 * expands one only when it is asked for (./kallsyms-names.ts): an analysis names a few hundred of
 * the ~100k symbols.
 */
export interface SymbolNames {
  name(index: number): string;
  /** kallsyms / nm type letter. */
  type(index: number): string;
  /** `nameHash(name(index))`, which compressed names know without expanding the name. */
  hash(index: number): number;
}

const HASH_MULTIPLIER = 0x01000193;

/**
 * A polynomial hash of a name's character codes, h = h·M + c (mod 2³²). Unlike FNV it composes: the
 * hash of a concatenation follows from the parts' hashes and M^length, so kallsyms names hash
 * token by token (./kallsyms-names.ts) to the same value as the expanded string.
 */
export function nameHash(s: string, start = 0, end = s.length): number {
  let h = 0;
  for (let k = start; k < end; k++) h = (Math.imul(h, HASH_MULTIPLIER) + s.charCodeAt(k)) | 0;
  return h;
}

/** nameHash of a string of `length` characters: M^length, the factor a prefix's hash is scaled by. */
export function nameHashScale(length: number): number {
  let p = 1;
  for (let k = 0; k < length; k++) p = Math.imul(p, HASH_MULTIPLIER);
  return p;
}

/**
 * Names in one string, each entry its type letter then its name (`Tschedule`), entry i spanning
 * [starts[i], starts[i + 1]): one string and a typed array instead of 100k strings.
 */
export class TextNames implements SymbolNames {
  constructor(
    private readonly text: string,
    private readonly starts: Uint32Array,
  ) {}

  name(index: number): string {
    return this.text.slice(this.starts[index]! + 1, this.starts[index + 1]);
  }

  type(index: number): string {
    return this.text[this.starts[index]!]!;
  }

  hash(index: number): number {
    return nameHash(this.text, this.starts[index]! + 1, this.starts[index + 1]!);
  }
}

/**
 * Names are hashed into typed arrays on the first by-name query; the string of a name is made only
 * for a candidate whose hash matches.
 */
export class SymbolTable {
  readonly count: number;
  private buckets: Int32Array | undefined;
  private chain: Int32Array | undefined;

  /** Columns already in table order (address, then alias order), e.g. straight from kallsyms. */
  constructor(
    private readonly names: SymbolNames,
    private readonly addresses: BigUint64Array,
    /** Tags every symbol (`[lab_mutex]`). */
    readonly module?: string,
    /** Where the table's text ends (module core size), to bound the last symbol. */
    readonly end?: bigint,
  ) {
    this.count = addresses.length;
  }

  /** A table from entries in any order. */
  static fromEntries(entries: SymbolEntry[], module?: string, end?: bigint): SymbolTable {
    const sorted = entries.map((e, i) => ({ e, i }));
    sorted.sort((a, b) => compareSymbols(a.e, b.e) || a.i - b.i);
    const addresses = new BigUint64Array(sorted.length);
    const starts = new Uint32Array(sorted.length + 1);
    const parts: string[] = new Array(sorted.length);
    let at = 0;
    for (let k = 0; k < sorted.length; k++) {
      const e = sorted[k]!.e;
      addresses[k] = e.address;
      starts[k] = at;
      parts[k] = (e.type[0] ?? '?') + e.name;
      at += parts[k]!.length;
    }
    starts[sorted.length] = at;
    return new SymbolTable(new TextNames(parts.join(''), starts), addresses, module, end);
  }

  /** True when addresses never decrease: kallsyms as the kernel sorted it is used as it is. */
  static ascending(addresses: BigUint64Array): boolean {
    // Compared as 32-bit halves (little-endian words): reading the elements would make a BigInt each.
    const w = new Uint32Array(addresses.buffer, addresses.byteOffset, addresses.length * 2);
    for (let i = 2; i < w.length; i += 2) {
      const hi = w[i + 1]!;
      const prevHi = w[i - 1]!;
      if (hi < prevHi || (hi === prevHi && w[i]! < w[i - 2]!)) return false;
    }
    return true;
  }

  /** Lowest and one-past-highest symbol address (0n, 0n when empty). */
  get range(): { start: bigint; end: bigint } {
    if (this.count === 0) return { start: 0n, end: 0n };
    return { start: this.addresses[0]!, end: this.end ?? this.addresses[this.count - 1]! + 1n };
  }

  nameAt(index: number): string {
    return this.names.name(index);
  }

  typeAt(index: number): string {
    return this.names.type(index);
  }

  entry(index: number): SymbolInfo {
    const info: SymbolInfo = {
      name: this.nameAt(index),
      address: this.addresses[index]!,
      type: this.typeAt(index),
    };
    const size = this.sizeAt(index);
    if (size !== undefined) info.size = size;
    if (this.module) info.module = this.module;
    return info;
  }

  /** Size as the kernel computes it: up to the next higher symbol address (or the table's end). */
  private sizeAt(index: number): number | undefined {
    const address = this.addresses[index]!;
    let next = index + 1;
    while (next < this.count && this.addresses[next] === address) next++;
    const end = next < this.count ? this.addresses[next]! : this.end;
    if (end === undefined) return undefined;
    const size = end - address;
    return size <= BigInt(MAX_SYMBOL_SIZE) ? Number(size) : undefined;
  }

  /** Index of the first symbol (in alias order) at the highest address ≤ `address`, or -1. */
  private floor(address: bigint): number {
    const a = this.addresses;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    while (found > 0 && a[found - 1] === a[found]) found--;
    return found;
  }

  lookup(address: bigint): { symbol: SymbolInfo; offset: number } | undefined {
    const i = this.floor(address);
    if (i < 0) return undefined;
    const offset = address - this.addresses[i]!;
    if (offset === 0n) return { symbol: this.entry(i), offset: 0 };
    const size = this.sizeAt(i);
    if (size === undefined || offset >= BigInt(size)) return undefined;
    return { symbol: this.entry(i), offset: Number(offset) };
  }

  /** Address of a name; a global definition wins over a static one of the same name. */
  byName(name: string): SymbolInfo | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.entry(i);
  }

  address(name: string): bigint | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.addresses[i];
  }

  private indexOf(name: string): number {
    if (!this.buckets) this.buildIndex();
    const buckets = this.buckets!;
    const chain = this.chain!;
    const hash = nameHash(name);
    let best = -1;
    for (let i = buckets[mix(hash) & (buckets.length - 1)]!; i >= 0; i = chain[i]!) {
      if (this.names.hash(i) !== hash || this.names.name(i) !== name) continue;
      // The chain runs from high to low index: the last match seen is the first in table order.
      if (best < 0 || isLocal(this.typeAt(best)) || !isLocal(this.typeAt(i))) best = i;
    }
    return best;
  }

  private buildIndex(): void {
    let size = 16;
    while (size < this.count * 2) size *= 2;
    const buckets = new Int32Array(size).fill(-1);
    const chain = new Int32Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const h = mix(this.names.hash(i)) & (size - 1);
      chain[i] = buckets[h]!;
      buckets[h] = i;
    }
    this.buckets = buckets;
    this.chain = chain;
  }

  *[Symbol.iterator](): IterableIterator<SymbolInfo> {
    for (let i = 0; i < this.count; i++) yield this.entry(i);
  }
}

/** Spreads a polynomial hash's bits (murmur3's finaliser) before its low bits pick a bucket. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function isLocal(type: string): boolean {
  return type >= 'a' && type <= 'z';
}

function isWeak(type: string): boolean {
  return type === 'W' || type === 'w' || type === 'V' || type === 'v';
}

function leadingUnderscores(name: string): number {
  let n = 0;
  while (name.charCodeAt(n) === 95) n++;
  return n;
}

/** `__start_x`, `__stop_x`, `__end_x`, `__x_start`, `__x_end`: names a linker script may provide. */
function linkerProvided(name: string): boolean {
  if (name.length < 8 || !name.startsWith('__')) return false;
  return (
    name.startsWith('__start_') ||
    name.startsWith('__stop_') ||
    name.startsWith('__end_') ||
    name.endsWith('_start') ||
    name.endsWith('_end')
  );
}

/**
 * The order of scripts/kallsyms.c: by address; at one address non-weak names first, then names
 * that are not linker-script boundaries, then fewer leading underscores (then input order).
 */
function compareSymbols(a: SymbolEntry, b: SymbolEntry): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  const weak = Number(isWeak(a.type)) - Number(isWeak(b.type));
  if (weak !== 0) return weak;
  const provided = Number(linkerProvided(a.name)) - Number(linkerProvided(b.name));
  if (provided !== 0) return provided;
  return leadingUnderscores(a.name) - leadingUnderscores(b.name);
}

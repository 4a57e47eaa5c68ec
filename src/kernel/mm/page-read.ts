/**
 * `struct page` read from a dump: whether an address is one (inside the vmemmap array, which KASLR
 * moves: `vmemmap_base` since 25dfe4785332 "x86/mm/64: Enable KASLR for vmemmap", v4.10), its flags
 * named with the kernel's own `enum pageflags` from BTF (kmem-style names: `locked,head`), head page
 * of a tail, reference and map counts, mapping, index, and the compound destructor stored in the
 * first tail page (`page[1].compound_dtor`, an index into `compound_page_dtors[]`, v4.4–v6.5) that
 * tells a THP from a hugetlbfs page. Public names: PageReader, PageReaderSources.
 */

import type { MemoryView, PageInfo, SymbolView } from '../../model/memory.js';
import { BtfKind } from '../btf/format.js';
import type { Types } from '../btf/layout.js';

export interface PageReaderSources {
  mem: MemoryView;
  types?: Types;
  symbols: SymbolView & { address(name: string): bigint | undefined };
  pageSize: number;
}

/** The classic vmemmap of 4-level x86_64 without KASLR of the memory map. */
const CLASSIC_VMEMMAP = 0xffffea0000000000n;
const MAX_PFN_FALLBACK = 1n << 40n;

const DTOR_FUNCTIONS: Record<string, string> = {
  COMPOUND_PAGE_DTOR: 'free_compound_page',
  HUGETLB_PAGE_DTOR: 'free_huge_page',
  TRANSHUGE_PAGE_DTOR: 'free_transhuge_page',
};

export class PageReader {
  readonly vmemmap: bigint;
  readonly pageStructSize: bigint;
  private readonly maxPfn: bigint;
  private flagNamesValue: Map<number, string> | undefined;
  private readonly nrPageflags: number;

  constructor(private readonly src: PageReaderSources) {
    const at = src.symbols.address('vmemmap_base');
    this.vmemmap = (at !== undefined ? src.mem.readU64(at) : undefined) ?? CLASSIC_VMEMMAP;
    this.pageStructSize = BigInt(src.types?.sizeof('page') ?? 64);
    const maxPfnAt = src.symbols.address('max_pfn');
    this.maxPfn = (maxPfnAt !== undefined ? src.mem.readU64(maxPfnAt) : undefined) ?? MAX_PFN_FALLBACK;
    this.nrPageflags = Number(src.types?.enumValue('__NR_PAGEFLAGS') ?? 0n);
  }

  /** Is `address` the start of a `struct page` in the vmemmap array? */
  isPage(address: bigint): boolean {
    const off = address - this.vmemmap;
    return off >= 0n && off % this.pageStructSize === 0n && off / this.pageStructSize < this.maxPfn;
  }

  private offset(path: string, fallback: number): bigint {
    return BigInt(this.src.types?.member('page', path)?.offset ?? fallback);
  }

  /** PG_* names of the set bits below __NR_PAGEFLAGS, as crash's kmem prints them. */
  flagNames(flags: bigint): string[] | undefined {
    const names = this.pageflagNames();
    if (!names) return undefined;
    const out: string[] = [];
    for (let bit = 0; bit < this.nrPageflags; bit++) {
      if ((flags >> BigInt(bit)) & 1n) out.push(names.get(bit) ?? `bit${bit}`);
    }
    return out;
  }

  /** Bit number → name, the first enumerator of `enum pageflags` for each value (aliases follow it). */
  private pageflagNames(): Map<number, string> | undefined {
    if (this.flagNamesValue || !this.src.types || !this.nrPageflags) return this.flagNamesValue;
    const types = this.src.types;
    const id = types.btf.find('pageflags', BtfKind.enum, BtfKind.enum64);
    if (id === undefined) return undefined;
    const t = types.btf.type(id);
    if (t.kind !== 'enum' && t.kind !== 'enum64') return undefined;
    const map = new Map<number, string>();
    for (const e of t.values) {
      const bit = Number(e.value);
      if (e.name.startsWith('PG_') && bit < this.nrPageflags && !map.has(bit)) map.set(bit, e.name.slice(3));
    }
    this.flagNamesValue = map;
    return map;
  }

  /** Reads the page at `address`; undefined when it is not a page or its bytes are not in the dump. */
  read(address: bigint): PageInfo | undefined {
    if (!this.isPage(address)) return undefined;
    const mem = this.src.mem;
    const flags = mem.readU64(address + this.offset('flags', 0));
    if (flags === undefined) return undefined;
    const page: PageInfo = { address, flags };
    const pfn = (address - this.vmemmap) / this.pageStructSize;
    page.physical = pfn * BigInt(this.src.pageSize);
    const names = this.flagNames(flags);
    if (names) page.flagNames = names;
    const head = mem.readU64(address + this.offset('compound_head', 8));
    if (head !== undefined && (head & 1n) === 1n) page.head = head - 1n;
    const mapping = mem.readU64(address + this.offset('mapping', 24));
    if (mapping !== undefined) page.mapping = mapping;
    const index = mem.readU64(address + this.offset('index', 32));
    if (index !== undefined) page.index = index;
    const refcount = mem.readU32(address + this.offset('_refcount', 52));
    if (refcount !== undefined) page.refcount = refcount | 0;
    const mapcount = mem.readU32(address + this.offset('_mapcount', 48));
    if (mapcount !== undefined) page.mapcount = (mapcount | 0) + 1;
    if (names?.includes('head')) {
      const dtor = this.compoundDtor(address);
      if (dtor) page.compoundDtor = dtor;
    }
    page.evidence = [
      { source: 'dump', address, note: `struct page read from memory (pfn 0x${pfn.toString(16)})` },
    ];
    return page;
  }

  /** Destructor of a compound page, from its first tail page. */
  private compoundDtor(head: bigint): string | undefined {
    const t = this.src.types;
    const m = t?.member('page', 'compound_dtor');
    if (!t || !m) return undefined;
    const id = this.src.mem.read(head + this.pageStructSize + BigInt(m.offset), 1)?.[0];
    if (id === undefined) return undefined;
    const table = this.src.symbols.address('compound_page_dtors');
    const fn = table !== undefined ? this.src.mem.readU64(table + BigInt(id * 8)) : undefined;
    const named = fn ? this.src.symbols.lookup(fn) : undefined;
    if (named && named.offset === 0) return named.symbol.name;
    const id2 = t.btf.find('compound_dtor_id', BtfKind.enum, BtfKind.enum64);
    const e = id2 !== undefined ? t.btf.type(id2) : undefined;
    if (e && (e.kind === 'enum' || e.kind === 'enum64')) {
      const name = e.values.find((v) => Number(v.value) === id)?.name;
      return name ? (DTOR_FUNCTIONS[name] ?? name) : undefined;
    }
    return undefined;
  }
}

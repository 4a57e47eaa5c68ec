/**
 * x86_64 virtual → physical translation for kernel addresses.
 * - Kernel image (`__START_KERNEL_map` .. + KERNEL_IMAGE_SIZE): va − 0xffffffff80000000 + phys_base.
 * - Direct map, once its base is known (`page_offset_base`): va − base.
 * - Anything else (vmalloc, vmemmap, modules, per-cpu, fixmap): walk the page tables from
 *   swapper_pg_dir/init_top_pgt, 4 or 5 levels (`NUMBER(pgtable_l5_enabled)`), honouring 1 GiB
 *   (PUD) and 2 MiB (PMD) PSE entries. Upper-level results are cached by 2 MiB/1 GiB region, so a
 *   second lookup in the same region costs one PTE read.
 */

import { MemoryUnavailableError, type PhysicalMemory } from '../../dump/physical.js';

export const START_KERNEL_MAP = 0xffffffff80000000n;
const PRESENT = 1n;
const PSE = 0x80n;
const ADDR_MASK = 0x000ffffffffff000n;
const MASK_1G = 0x000fffffc0000000n;
const MASK_2M = 0x000fffffffe00000n;
const CACHE_LIMIT = 1 << 16;

export interface PagingParams {
  physBase: bigint;
  /** Physical address of the top-level table (swapper_pg_dir / init_top_pgt). */
  topTable: bigint;
  levels: 4 | 5;
  /** NUMBER(KERNEL_IMAGE_SIZE); 1 GiB with KASLR. */
  kernelImageSize: bigint;
  /** NUMBER(sme_mask): the AMD memory-encryption bit, cleared from entries. */
  smeMask?: bigint;
}

export class X86_64Paging {
  private directMapBase: bigint | undefined;
  private directMapEnd = 0n;
  private readonly pteTables = new Map<bigint, bigint>();
  private readonly huge2m = new Map<bigint, bigint>();
  private readonly huge1g = new Map<bigint, bigint>();
  private readonly entryMask: bigint;

  constructor(
    private readonly physical: PhysicalMemory,
    readonly params: PagingParams,
  ) {
    this.entryMask = ~(params.smeMask ?? 0n);
  }

  /** Enables the direct-map fast path: `base` = page_offset_base. */
  setDirectMapBase(base: bigint): void {
    this.directMapBase = base;
    this.directMapEnd = base + this.physical.maxPfn * BigInt(this.physical.pageSize);
  }

  get directMap(): bigint | undefined {
    return this.directMapBase;
  }

  translate(va: bigint): bigint {
    if (va >= START_KERNEL_MAP && va < START_KERNEL_MAP + this.params.kernelImageSize) {
      return va - START_KERNEL_MAP + this.params.physBase;
    }
    if (this.directMapBase !== undefined && va >= this.directMapBase && va < this.directMapEnd) {
      return va - this.directMapBase;
    }
    return this.walk(va);
  }

  /** The page-table walk alone (no shortcuts): used to check the shortcuts. */
  walk(va: bigint): bigint {
    const key2m = va >> 21n;
    const pte = this.pteTables.get(key2m);
    if (pte !== undefined) return this.leaf4k(va, pte);
    const huge = this.huge2m.get(key2m);
    if (huge !== undefined) return huge | (va & 0x1fffffn);
    const giant = this.huge1g.get(va >> 30n);
    if (giant !== undefined) return giant | (va & 0x3fffffffn);

    if (!this.canonical(va))
      throw new MemoryUnavailableError(va, 'unmapped', 'virtual', 'non-canonical address');
    let table = this.params.topTable;
    if (this.params.levels === 5) table = this.next(table, (va >> 48n) & 511n, va, 'PGD');
    const p4d = this.next(table, (va >> 39n) & 511n, va, this.params.levels === 5 ? 'P4D' : 'PGD');
    const pudEntry = this.entry(p4d, (va >> 30n) & 511n, va, 'PUD');
    if (pudEntry & PSE) {
      const base = pudEntry & MASK_1G & this.entryMask;
      this.remember(this.huge1g, va >> 30n, base);
      return base | (va & 0x3fffffffn);
    }
    const pmdTable = pudEntry & ADDR_MASK & this.entryMask;
    const pmdEntry = this.entry(pmdTable, (va >> 21n) & 511n, va, 'PMD');
    if (pmdEntry & PSE) {
      const base = pmdEntry & MASK_2M & this.entryMask;
      this.remember(this.huge2m, key2m, base);
      return base | (va & 0x1fffffn);
    }
    const pteTable = pmdEntry & ADDR_MASK & this.entryMask;
    this.remember(this.pteTables, key2m, pteTable);
    return this.leaf4k(va, pteTable);
  }

  private leaf4k(va: bigint, pteTable: bigint): bigint {
    const e = this.entry(pteTable, (va >> 12n) & 511n, va, 'PTE');
    return (e & ADDR_MASK & this.entryMask) | (va & 0xfffn);
  }

  private next(table: bigint, index: bigint, va: bigint, level: string): bigint {
    return this.entry(table, index, va, level) & ADDR_MASK & this.entryMask;
  }

  /** A present entry of `table` or an "unmapped" error naming the level. */
  private entry(table: bigint, index: bigint, va: bigint, level: string): bigint {
    const at = table + index * 8n;
    const pageSize = BigInt(this.physical.pageSize);
    let page: Uint8Array;
    try {
      page = this.physical.readPage(at / pageSize);
    } catch (error) {
      if (error instanceof MemoryUnavailableError) {
        throw new MemoryUnavailableError(
          va,
          'unmapped',
          'virtual',
          `${level} table page at physical 0x${at.toString(16)} is not in the dump`,
        );
      }
      throw error;
    }
    const off = Number(at % pageSize);
    const e = new DataView(page.buffer, page.byteOffset + off, 8).getBigUint64(0, true);
    if ((e & PRESENT) === 0n)
      throw new MemoryUnavailableError(va, 'unmapped', 'virtual', `${level} entry not present`);
    return e;
  }

  private canonical(va: bigint): boolean {
    const bits = this.params.levels === 5 ? 56n : 47n;
    const top = va >> bits;
    return top === 0n || top === (1n << (64n - bits)) - 1n;
  }

  private remember(map: Map<bigint, bigint>, key: bigint, value: bigint): void {
    if (map.size >= CACHE_LIMIT) map.clear();
    map.set(key, value);
  }
}

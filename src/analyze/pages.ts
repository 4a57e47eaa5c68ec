/**
 * What the model knows about a `struct page`: its flags decoded with the kernel's layout, its head
 * page, and whether its compound page is a THP or a hugetlbfs page (the destructor stored in the
 * first tail page, `page[1].lru.next` on 3.10). Used by the lock analyzer (a bit lock in a page's
 * flags) and the decoder analyzer.
 */

import { parseRelease } from '../kernel/flags/version.js';
import {
  type CompoundKind,
  compoundKind,
  type LayoutChoice,
  pageFlagNumbersFromVmcoreinfo,
  selectPageFlagLayout,
} from '../kernel/mm/index.js';
import type { Crash, Evidence, PageInfo } from '../model/index.js';

/** sizeof(struct page) on x86_64 (all versions ktriage knows). */
export const STRUCT_PAGE_SIZE = 64n;

/** The classic x86_64 vmemmap (4-level paging, no KASLR of the memory map): 3.10 and non-KASLR kernels. */
const VMEMMAP_START = 0xffffea0000000000n;
const VMEMMAP_END = 0xffffeb0000000000n;

export function pageLayout(crash: Crash): LayoutChoice | undefined {
  return selectPageFlagLayout(
    parseRelease(crash.system.release),
    pageFlagNumbersFromVmcoreinfo(crash.dump?.vmcoreinfo),
  );
}

export function knownPage(crash: Crash, address: bigint): PageInfo | undefined {
  return crash.pages.find((p) => p.address === address);
}

/** True when the address is a `struct page` the input described, or lies in the classic vmemmap. */
export function isStructPage(crash: Crash, address: bigint): boolean {
  if (knownPage(crash, address)) return true;
  return address >= VMEMMAP_START && address < VMEMMAP_END && address % STRUCT_PAGE_SIZE === 0n;
}

export interface CompoundFacts {
  kind: CompoundKind;
  dtor?: string;
  evidence: Evidence[];
}

/** THP or hugetlbfs, from the destructor the input printed for `head` (on the head or on page[1]). */
export function compoundOf(crash: Crash, head: bigint): CompoundFacts {
  const first = head + STRUCT_PAGE_SIZE;
  for (const page of [knownPage(crash, head), knownPage(crash, first)]) {
    if (page?.compoundDtor)
      return {
        kind: compoundKind(page.compoundDtor, parseRelease(crash.system.release)),
        dtor: page.compoundDtor,
        evidence: page.evidence ?? [],
      };
  }
  for (const s of crash.structs) {
    if (s.address !== first || !/page/.test(s.type)) continue;
    for (const [field, value] of Object.entries(s.fields)) {
      if (!/lru\.next|compound_dtor/.test(field)) continue;
      const sym = /<([\w.]+)(?:\+\d+)?>/.exec(value)?.[1];
      if (sym)
        return {
          kind: compoundKind(sym, parseRelease(crash.system.release)),
          dtor: sym,
          evidence: s.evidence ? [s.evidence] : [],
        };
    }
  }
  return { kind: 'unknown', evidence: [] };
}

/** Tail pages the input linked to `head` (first_page / compound_head). */
export function tailsOf(crash: Crash, head: bigint): PageInfo[] {
  return crash.pages.filter((p) => p.head === head && p.address !== head);
}

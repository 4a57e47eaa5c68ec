/**
 * Compound pages: head/tail and what kind of huge page a head belongs to.
 *
 * Public names: `compoundKind`, `CompoundKind`, `isTailByFlags`, `isHeadByFlags`.
 *
 * The destructor of a compound page tells transparent huge pages from hugetlbfs ones. Up to v4.x it
 * is a function pointer in the first tail page (`page[1].lru.next` on 3.10, read by
 * `get_compound_page_dtor()`): `free_compound_page` or (v4.5+, deferred split) `free_transhuge_page`
 * for THP, `free_huge_page` for hugetlbfs. Later kernels store an index into
 * `compound_page_dtors[]` instead; VMCOREINFO's `NUMBER(HUGETLB_PAGE_DTOR)` names the hugetlbfs index.
 */

import { type PageFlagLayout, pageFlagBit } from './page-flags.js';

export type CompoundKind = 'thp' | 'hugetlbfs' | 'other-compound' | 'unknown';

const THP_DTORS = new Set(['free_compound_page', 'free_transhuge_page', 'free_transhuge_folio']);
const HUGETLB_DTORS = new Set(['free_huge_page', 'free_huge_folio']);

/** From the destructor's symbol name (3.10: `page[1].lru.next` = `<free_compound_page>`). */
export function compoundKind(dtor: string | undefined): CompoundKind {
  if (!dtor) return 'unknown';
  const name = dtor.replace(/^<|>$/g, '').replace(/\+0x[0-9a-f]+$/i, '');
  if (THP_DTORS.has(name)) return 'thp';
  if (HUGETLB_DTORS.has(name)) return 'hugetlbfs';
  return 'other-compound';
}

function hasBit(flags: bigint, layout: PageFlagLayout, name: string): boolean | undefined {
  const bit = pageFlagBit(layout, name);
  return bit === undefined ? undefined : (flags & (1n << BigInt(bit))) !== 0n;
}

/** PG_tail where the layout has it (≤ v4.3); undefined when tails live in `compound_head` bit 0. */
export function isTailByFlags(flags: bigint, layout: PageFlagLayout): boolean | undefined {
  return hasBit(flags, layout, 'tail');
}

export function isHeadByFlags(flags: bigint, layout: PageFlagLayout): boolean | undefined {
  return hasBit(flags, layout, 'head');
}

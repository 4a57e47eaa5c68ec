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

import { type KernelVersion, versionAtLeast } from '../flags/version.js';
import { type PageFlagLayout, pageFlagBit } from './page-flags.js';

export type CompoundKind = 'thp' | 'hugetlbfs' | 'other-compound' | 'unknown';

const THP_DTORS = new Set(['free_transhuge_page', 'free_transhuge_folio']);
const HUGETLB_DTORS = new Set(['free_huge_page', 'free_huge_folio']);

/**
 * From the destructor's symbol name (3.10: `page[1].lru.next` = `<free_compound_page>`).
 * `free_compound_page` was THP's destructor until v4.5; since commit 9a982250f773 ("thp: introduce
 * deferred_split_huge_page()") THP has `free_transhuge_page` and `free_compound_page` is any other
 * `__GFP_COMP` allocation. RHEL 7 (3.10) never took that change; RHEL 8 (4.18) has it.
 */
export function compoundKind(dtor: string | undefined, version?: KernelVersion): CompoundKind {
  if (!dtor) return 'unknown';
  const name = dtor.replace(/^<|>$/g, '').replace(/\+0x[0-9a-f]+$/i, '');
  if (THP_DTORS.has(name)) return 'thp';
  if (HUGETLB_DTORS.has(name)) return 'hugetlbfs';
  if (name === 'free_compound_page') {
    if (!version) return 'unknown';
    const deferredSplit = version.rhel !== undefined ? version.rhel >= 8 : versionAtLeast(version, '4.5');
    return deferredSplit ? 'other-compound' : 'thp';
  }
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

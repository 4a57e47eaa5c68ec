/**
 * `struct page` flag bits (`enum pageflags`), per kernel layout, and their names as crash's `kmem`
 * prints them (the enum name without `PG_`: `referenced,uptodate,lru,head,…,compound_lock`).
 *
 * Public names: `PAGE_FLAG_LAYOUTS`, `PageFlagLayout`, `selectPageFlagLayout`, `decodePageFlags`,
 * `pageFlagNumbersFromVmcoreinfo`, `pageFlagBit`.
 *
 * The enum depends on the version and on the configuration (`#ifdef`ed members shift the bits after
 * them). The tables hold what x86_64 distribution kernels build (CONFIG_PAGEFLAGS_EXTENDED, X86_PAT →
 * ARCH_USES_PG_UNCACHED, MEMORY_FAILURE, TRANSPARENT_HUGEPAGE, 64BIT). When VMCOREINFO's
 * `NUMBER(PG_*)` lines are present, a layout is used only if it agrees with every one of them.
 * Only bits below `__NR_PAGEFLAGS` are flags; the bits above hold node/zone/section/last_cpupid.
 */

import { decodeBits } from '../flags/bits.js';
import { inRange, type KernelVersion, type VersionRange } from '../flags/version.js';

export interface PageFlagLayout {
  id: string;
  /** The kernels it describes. `rhel` restricts it to a RHEL major (el7) whatever the range says. */
  range: VersionRange;
  rhel?: number;
  /** Where the numbers were read. */
  source: string;
  /** Flag names in bit order: index = bit number. Their count is __NR_PAGEFLAGS. */
  names: readonly string[];
}

/**
 * Linux 3.x (and RHEL7's 3.10.0-*.el7, which keeps this enum): include/linux/page-flags.h of v3.10
 * with the x86_64 distro configuration. PG_tail exists until v4.4 (commit 1d798ca3f164 "mm: make
 * compound_head() robust" moved tails to `compound_head` bit 0); PG_compound_lock exists until
 * v4.5 (commit ddc58f27f9ee "mm: drop tail page refcounting" and its series removed it).
 */
const V3_X86_64: PageFlagLayout = {
  id: 'page-flags x86_64 3.x (rhel7 3.10)',
  range: { from: '2.6.38', to: '4.4' },
  source: 'include/linux/page-flags.h of linux-3.10 (PAGEFLAGS_EXTENDED, X86_PAT, MEMORY_FAILURE, THP)',
  names: [
    'locked',
    'error',
    'referenced',
    'uptodate',
    'dirty',
    'lru',
    'active',
    'slab',
    'owner_priv_1',
    'arch_1',
    'reserved',
    'private',
    'private_2',
    'writeback',
    'head',
    'tail',
    'swapcache',
    'mappedtodisk',
    'reclaim',
    'swapbacked',
    'unevictable',
    'mlocked',
    'uncached',
    'hwpoison',
    'compound_lock',
  ],
};

/**
 * Linux 4.20 … 6.x: PG_workingset and PG_waiters moved in front of PG_error by commit 1899ad18c607
 * ("mm: workingset: tell cache transitions from workingset thrashing", v4.20); PG_swapcache is an
 * alias of owner_priv_1 and PG_head is a mask (`NUMBER(PG_head_mask)`). Checked against the lab
 * kernel 6.1.0-56-amd64's VMCOREINFO: PG_lru=4 PG_slab=9 PG_swapcache=10 PG_private=13
 * PG_head_mask=1<<16 PG_swapbacked=19 PG_hwpoison=23.
 */
const V4_20_X86_64: PageFlagLayout = {
  id: 'page-flags x86_64 4.20-6.x',
  range: { from: '4.20', to: '6.12' },
  source: 'include/linux/page-flags.h of linux-6.1 (PAT, MEMORY_FAILURE, PAGE_IDLE_FLAG, 64BIT)',
  names: [
    'locked',
    'referenced',
    'uptodate',
    'dirty',
    'lru',
    'active',
    'workingset',
    'waiters',
    'error',
    'slab',
    'owner_priv_1',
    'arch_1',
    'reserved',
    'private',
    'private_2',
    'writeback',
    'head',
    'mappedtodisk',
    'reclaim',
    'swapbacked',
    'unevictable',
    'mlocked',
    'uncached',
    'hwpoison',
    'young',
    'idle',
    'arch_2',
  ],
};

export const PAGE_FLAG_LAYOUTS: readonly PageFlagLayout[] = [V3_X86_64, V4_20_X86_64];

/** Aliases VMCOREINFO may name (`NUMBER(PG_swapcache)`), mapped to the enum member they share a bit with. */
const ALIASES: Record<string, Record<string, string>> = {
  [V4_20_X86_64.id]: { swapcache: 'owner_priv_1' },
};

/** `NUMBER(PG_lru)=4` … and `NUMBER(PG_head_mask)=65536` as bit numbers, from VMCOREINFO text. */
export function pageFlagNumbersFromVmcoreinfo(vmcoreinfo: string | undefined): Record<string, number> {
  const numbers: Record<string, number> = {};
  if (!vmcoreinfo) return numbers;
  for (const m of vmcoreinfo.matchAll(/^NUMBER\(PG_([a-z0-9_]+)\)=(-?\d+)\s*$/gm)) {
    const name = m[1]!;
    const value = Number(m[2]);
    if (!Number.isSafeInteger(value) || value < 0) continue;
    if (name.endsWith('_mask')) {
      if (value > 0 && (value & (value - 1)) === 0) numbers[name.slice(0, -5)] = Math.log2(value);
    } else if (value < 64) numbers[name] = value;
  }
  return numbers;
}

export function pageFlagBit(layout: PageFlagLayout, name: string): number | undefined {
  const alias = ALIASES[layout.id]?.[name] ?? name;
  const bit = layout.names.indexOf(alias);
  return bit < 0 ? undefined : bit;
}

function agrees(layout: PageFlagLayout, numbers: Record<string, number>): boolean {
  return Object.entries(numbers).every(([name, bit]) => pageFlagBit(layout, name) === bit);
}

export interface LayoutChoice {
  layout: PageFlagLayout;
  /** Why this table: version range, RHEL tag, VMCOREINFO agreement. */
  why: string;
}

/**
 * The layout for a kernel: by version (RHEL major first), confirmed by VMCOREINFO numbers when
 * given. With numbers but no version match, the first layout that agrees with all numbers.
 */
export function selectPageFlagLayout(
  version: KernelVersion | undefined,
  numbers: Record<string, number> = {},
): LayoutChoice | undefined {
  const haveNumbers = Object.keys(numbers).length > 0;
  const byVersion = version
    ? (PAGE_FLAG_LAYOUTS.find((l) => (l.rhel !== undefined ? l.rhel === version.rhel : false)) ??
      PAGE_FLAG_LAYOUTS.find((l) => l.rhel === undefined && inRange(version, l.range)))
    : undefined;
  if (byVersion && (!haveNumbers || agrees(byVersion, numbers))) {
    const confirmed = haveNumbers ? ', confirmed by VMCOREINFO NUMBER(PG_*)' : '';
    return { layout: byVersion, why: `kernel ${version?.release}${confirmed}` };
  }
  if (haveNumbers) {
    const fit = PAGE_FLAG_LAYOUTS.find((l) => agrees(l, numbers));
    if (fit) return { layout: fit, why: 'the only table agreeing with VMCOREINFO NUMBER(PG_*)' };
  }
  return undefined;
}

/** Flag names of a `page->flags` word, in bit order, as crash's kmem prints them. */
export function decodePageFlags(flags: bigint, layout: PageFlagLayout): { names: string[]; unknown: bigint } {
  const table = {
    id: layout.id,
    source: layout.source,
    bits: layout.names.map((name, bit) => ({ bit, name })),
  };
  return decodeBits(flags, table, layout.names.length);
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRelease } from '../../../src/kernel/flags/index.js';
import {
  compoundKind,
  decodePageFlags,
  isTailByFlags,
  pageFlagBit,
  pageFlagNumbersFromVmcoreinfo,
  selectPageFlagLayout,
} from '../../../src/kernel/mm/index.js';
import { fixture } from '../../helpers/shared.js';

const seed = readFileSync(fixture('seed', 'hardlockup-put_compound_page.zh.txt'), 'utf8');
const vmcoreinfo = readFileSync(fixture('lab', 'kernel', 'vmcoreinfo.txt'), 'utf8');

/** crash's own `kmem PAGE` rows in the seed: address, flags word, names crash printed. */
function kmemRows(): { page: string; flags: bigint; names: string[] }[] {
  const rows = [];
  for (const m of seed.matchAll(
    /^(ffffea[0-9a-f]{10})\s+[0-9a-f]+\s+(?:[0-9a-f]+\s+)?[0-9a-f]+\s+\d+\s+([0-9a-f]{8,16})\s+([a-z_,]+)/gm,
  )) {
    rows.push({ page: m[1]!, flags: BigInt(`0x${m[2]}`), names: m[3]!.split(',') });
  }
  return rows;
}

describe('page flags on RHEL7 3.10 (the seed)', () => {
  const release = /RELEASE: (\S+)/.exec(seed)![1]!;
  const choice = selectPageFlagLayout(parseRelease(release));

  it('picks the 3.x layout for 3.10.0-327.22.2.el7', () => {
    expect(release).toBe('3.10.0-327.22.2.el7.x86_64');
    expect(choice?.layout.id).toContain('3.x');
  });

  it('decodes both pages exactly as crash kmem printed them', () => {
    const rows = kmemRows();
    // The head page row twice (two kmem commands) and the tail page row once.
    expect(rows.map((r) => r.page)).toEqual(expect.arrayContaining(['ffffea0123302a40', 'ffffea0123300000']));
    for (const row of rows) {
      expect(decodePageFlags(row.flags, choice!.layout).names).toEqual(row.names);
    }
  });

  it('puts PG_compound_lock at bit 24, the bit the spin loop tests (test $0x1000000)', () => {
    const bit = pageFlagBit(choice!.layout, 'compound_lock');
    expect(bit).toBe(24);
    expect(seed).toMatch(/test\s+\$0x1000000,%eax/);
    expect(1n << BigInt(bit!)).toBe(0x1000000n);
    expect(seed).toContain('lock btsl $0x18,(%r12)');
    expect(0x18).toBe(bit);
  });

  it('sees the tail page as a tail', () => {
    expect(isTailByFlags(0x6fffff00008000n, choice!.layout)).toBe(true);
    expect(isTailByFlags(0x6016c60138402cn, choice!.layout)).toBe(false);
  });
});

describe('page flags on 6.1 (the lab kernel)', () => {
  const numbers = pageFlagNumbersFromVmcoreinfo(vmcoreinfo);

  it('reads NUMBER(PG_*) from VMCOREINFO, masks as bit numbers', () => {
    expect(numbers).toMatchObject({ lru: 4, slab: 9, head: 16, hwpoison: 23 });
  });

  it('picks the 4.20-6.x layout and it agrees with every NUMBER(PG_*)', () => {
    const choice = selectPageFlagLayout(parseRelease('6.1.0-56-amd64'), numbers);
    expect(choice?.layout.id).toContain('4.20');
    expect(choice?.why).toContain('VMCOREINFO');
    for (const [name, bit] of Object.entries(numbers)) expect(pageFlagBit(choice!.layout, name)).toBe(bit);
  });

  it('refuses the 3.x table when VMCOREINFO disagrees, and finds the right one without a version', () => {
    const wrong = selectPageFlagLayout(parseRelease('3.10.0-327.el7.x86_64'), numbers);
    expect(wrong?.layout.id).toContain('4.20');
    expect(wrong?.why).toContain('only table agreeing');
    expect(selectPageFlagLayout(undefined, numbers)?.layout.id).toContain('4.20');
  });

  it('has no table for a version it does not know', () => {
    expect(selectPageFlagLayout(parseRelease('4.18.0-305.el8.x86_64'))).toBeUndefined();
  });
});

describe('compound destructor', () => {
  it('tells THP (free_compound_page, the seed) from hugetlbfs (free_huge_page)', () => {
    const dtor = /lru\.next = 0x[0-9a-f]+ <(\w+)>/.exec(seed)![1];
    expect(dtor).toBe('free_compound_page');
    expect(compoundKind(dtor, parseRelease('3.10.0-327.22.2.el7.x86_64'))).toBe('thp');
    expect(compoundKind('free_huge_page')).toBe('hugetlbfs');
    expect(compoundKind(undefined)).toBe('unknown');
  });

  it('reads free_compound_page as a plain compound page since v4.5 (THP got free_transhuge_page)', () => {
    expect(compoundKind('free_compound_page', parseRelease('6.1.0-56-amd64'))).toBe('other-compound');
    expect(compoundKind('free_compound_page', parseRelease('4.18.0-305.el8.x86_64'))).toBe('other-compound');
    expect(compoundKind('free_transhuge_page', parseRelease('4.18.0-305.el8.x86_64'))).toBe('thp');
    expect(compoundKind('free_compound_page')).toBe('unknown');
  });
});

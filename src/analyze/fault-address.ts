/**
 * What a faulting address says by its value alone: NULL plus a field offset, the list and slab
 * poison patterns (include/linux/poison.h), a user address touched from the kernel, a
 * non-canonical (corrupted) pointer, an error code used as one. Canonical x86_64 addresses have bits
 * 63..47 all equal with 4-level paging, 63..56 with 5-level (LA57): either is accepted, since a page
 * fault never reports a non-canonical address (those raise #GP).
 */

export type AddressKind =
  | 'null'
  | 'err-ptr'
  | 'list-poison'
  | 'slab-free-poison'
  | 'slab-uninit-poison'
  | 'slab-redzone'
  | 'non-canonical'
  | 'user'
  | 'kernel';

export interface AddressMeaning {
  kind: AddressKind;
  /** A sentence fragment: "NULL + 0x8: a field at offset 0x8 of a NULL struct pointer". */
  meaning: string;
}

/** Below mmap_min_addr (64 KiB by default) nothing is ever mapped: a NULL pointer plus an offset. */
const NULL_RANGE = 0x10000n;
const POISON_DELTA = 0xdead000000000000n;
const LIST_POISON1 = POISON_DELTA + 0x100n;
const LIST_POISON2 = POISON_DELTA + 0x122n;
const NEAR = 0x1000n;

const repeated = (byte: number): bigint => BigInt(`0x${byte.toString(16).padStart(2, '0').repeat(8)}`);
const SLAB_PATTERNS: [bigint, AddressKind, string][] = [
  [
    repeated(0x6b),
    'slab-free-poison',
    'slab poison 0x6b (POISON_FREE): a pointer read from freed memory — use after free',
  ],
  [
    repeated(0x5a),
    'slab-uninit-poison',
    'slab poison 0x5a (POISON_INUSE): a pointer read from memory never initialised after kmalloc',
  ],
  [
    repeated(0xcc),
    'slab-redzone',
    'SLUB red zone 0xcc: a pointer read from outside an object — an out-of-bounds access',
  ],
  [
    repeated(0xbb),
    'slab-redzone',
    'SLUB red zone 0xbb: a pointer read from a free object’s red zone — use after free',
  ],
];

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const near = (a: bigint, b: bigint): boolean => (a > b ? a - b : b - a) < NEAR;

/** The highest errno the kernel encodes in a pointer (include/linux/err.h MAX_ERRNO). */
const MAX_ERRNO = 4095n;
const U64 = 1n << 64n;

/**
 * `fetch`: the CPU jumped there (a bad function pointer or return address), no field was read.
 * `fromPageFault`: a #PF reported it, so it was canonical for that machine (4- or 5-level paging);
 * a #GP's address is judged with 4-level paging, as the kernel's own "non-canonical" hint does.
 */
export function addressMeaning(
  address: bigint,
  access?: 'read' | 'write' | 'fetch',
  fromPageFault = false,
): AddressMeaning {
  if (address >= U64 - MAX_ERRNO) {
    return {
      kind: 'err-ptr',
      meaning: `an error code (-${U64 - address}) used as a pointer: an ERR_PTR() return value not checked with IS_ERR()`,
    };
  }
  if (address < NULL_RANGE && access === 'fetch') {
    return {
      kind: 'null',
      meaning:
        'a call or jump to a near-NULL address: a NULL function pointer called, or a corrupted return address on the stack',
    };
  }
  if (address < NULL_RANGE) {
    return {
      kind: 'null',
      meaning:
        address === 0n
          ? 'NULL itself: a NULL pointer dereferenced'
          : `NULL + ${hex(address)}: the field at offset ${hex(address)} of a struct reached through a NULL pointer`,
    };
  }
  if (near(address, LIST_POISON1) || near(address, LIST_POISON2)) {
    const distance = (p: bigint) => (address > p ? address - p : p - address);
    const which =
      distance(LIST_POISON1) < distance(LIST_POISON2) ? 'next (LIST_POISON1)' : 'prev (LIST_POISON2)';
    return {
      kind: 'list-poison',
      meaning: `list poison: the ${which} pointer of a list entry already removed by list_del() — the entry was used after removal (or removed twice)`,
    };
  }
  for (const [pattern, kind, meaning] of SLAB_PATTERNS) if (near(address, pattern)) return { kind, meaning };
  const top = address >> 47n;
  const top57 = address >> 56n;
  const canonical57 = top57 === 0n || top57 === 0xffn;
  if (top !== 0n && top !== 0x1ffffn && !(fromPageFault && canonical57))
    return {
      kind: 'non-canonical',
      meaning: 'non-canonical: not an address at all — a corrupted pointer, or data read as one',
    };
  if (address >> 63n === 0n)
    return {
      kind: 'user',
      meaning:
        'a user-space address dereferenced by kernel code (a __user pointer used without copy_from_user, or a stale pointer)',
    };
  return { kind: 'kernel', meaning: 'a kernel address that is not mapped, or mapped without that access' };
}

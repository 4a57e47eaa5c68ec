/**
 * What a faulting address says by its value alone: NULL plus a field offset, the list and slab
 * poison patterns (include/linux/poison.h), a user address touched from the kernel, a
 * non-canonical (corrupted) pointer. x86_64 with 4-level paging: canonical addresses have bits
 * 63..47 all equal.
 */

export type AddressKind =
  | 'null'
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

export function addressMeaning(address: bigint): AddressMeaning {
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
  if (top !== 0n && top !== 0x1ffffn)
    return {
      kind: 'non-canonical',
      meaning: 'non-canonical: not an address at all — a corrupted pointer, or data read as one',
    };
  if (top === 0n)
    return {
      kind: 'user',
      meaning:
        'a user-space address dereferenced by kernel code (a __user pointer used without copy_from_user, or a stale pointer)',
    };
  return { kind: 'kernel', meaning: 'a kernel address that is not mapped, or mapped without that access' };
}

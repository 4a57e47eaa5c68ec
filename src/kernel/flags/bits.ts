/**
 * Decoding a word of single-bit flags with a table of bit numbers → names.
 *
 * Public names: `BitTable`, `decodeBits`, `DecodedBits`.
 */

export interface BitName {
  bit: number;
  name: string;
}

export interface BitTable {
  /** Stable id shown to users (`tif x86_64 3.10`). */
  id: string;
  /** Where the numbers come from (header and version), for the reader who doubts them. */
  source: string;
  bits: readonly BitName[];
}

export interface DecodedBits {
  names: string[];
  /** Set bits the table has no name for, as a mask. */
  unknown: bigint;
}

/** Names of the set bits in bit order; bits above `limit` (exclusive) are ignored, not reported. */
export function decodeBits(value: bigint, table: BitTable, limit = 64): DecodedBits {
  const names: string[] = [];
  let known = 0n;
  for (const { bit, name } of [...table.bits].sort((a, b) => a.bit - b.bit)) {
    if (bit >= limit) continue;
    const mask = 1n << BigInt(bit);
    if (value & mask) {
      if (!(known & mask)) names.push(name);
      known |= mask;
    }
  }
  const limitMask = limit >= 64 ? (1n << 64n) - 1n : (1n << BigInt(limit)) - 1n;
  return { names, unknown: value & limitMask & ~known };
}

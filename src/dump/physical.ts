/**
 * Physical memory as a dump container provides it. Containers (ELF, kdump-compressed, flattened)
 * implement `PhysicalMemory`; everything above (address translation, printk, tasks) reads through it.
 */

import { KtriageError } from '../errors.js';

/**
 * Why a page cannot be read:
 * - `excluded`: RAM that makedumpfile filtered out (`-d 31`: zero, cache, user, free pages) — normal;
 * - `lost`: the dump is incomplete (disk full, interrupted) and this page was never written;
 * - `not-in-dump`: no RAM there as far as the dump knows (a hole, past the end);
 * - `unmapped`: a virtual address with no page-table mapping.
 */
export type UnavailableReason = 'excluded' | 'lost' | 'not-in-dump' | 'unmapped';

/** A read touched memory the dump does not have. Normal in filtered dumps: catch it where partial data is fine. */
export class MemoryUnavailableError extends KtriageError {
  constructor(
    readonly address: bigint,
    readonly reason: UnavailableReason,
    readonly space: 'physical' | 'virtual',
    detail = '',
  ) {
    super(
      'missingData',
      `${space} address 0x${address.toString(16)} is ${describeReason(reason)}${detail ? ` (${detail})` : ''}`,
    );
    this.name = 'MemoryUnavailableError';
  }
}

function describeReason(reason: UnavailableReason): string {
  switch (reason) {
    case 'excluded':
      return 'not in the dump: its page was excluded by the dump filter';
    case 'lost':
      return 'not in the dump: its page was lost (incomplete dump)';
    case 'not-in-dump':
      return 'not in the dump (no RAM there, or filtered out of an ELF dump)';
    case 'unmapped':
      return 'not mapped by the kernel page tables';
  }
}

export type PageState = 'present' | 'excluded' | 'lost' | 'not-in-dump';

export interface PhysicalMemory {
  readonly pageSize: number;
  /** One past the highest page frame number the dump describes. */
  readonly maxPfn: bigint;
  /** Is page `pfn` readable, and if not why. Cheap: no decompression. */
  pageState(pfn: bigint): PageState;
  /** The bytes of page `pfn` (pageSize long). Throws MemoryUnavailableError or a corrupt-dump KtriageError. */
  readPage(pfn: bigint): Uint8Array;
}

/** `length` bytes at physical `address`, across pages. */
export function readPhysical(memory: PhysicalMemory, address: bigint, length: number): Uint8Array {
  const pageSize = BigInt(memory.pageSize);
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const at = address + BigInt(done);
    const pfn = at / pageSize;
    const inPage = Number(at % pageSize);
    const take = Math.min(length - done, memory.pageSize - inPage);
    const page = memory.readPage(pfn);
    out.set(page.subarray(inPage, inPage + take), done);
    done += take;
  }
  return out;
}

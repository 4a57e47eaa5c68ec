/**
 * x86 RFLAGS bits (Intel SDM vol. 1, 3.4.3). IF (bit 9) clear in a saved frame means the
 * interrupted code ran with interrupts disabled — the mark of a hard lockup.
 *
 * Public names: `RFLAGS_TABLE`, `decodeRflags`.
 */

import { type BitTable, decodeBits } from './bits.js';

export const RFLAGS_TABLE: BitTable = {
  id: 'rflags x86',
  source: 'Intel SDM vol. 1 §3.4.3 (EFLAGS register)',
  bits: [
    { bit: 0, name: 'CF' },
    { bit: 2, name: 'PF' },
    { bit: 4, name: 'AF' },
    { bit: 6, name: 'ZF' },
    { bit: 7, name: 'SF' },
    { bit: 8, name: 'TF' },
    { bit: 9, name: 'IF' },
    { bit: 10, name: 'DF' },
    { bit: 11, name: 'OF' },
    { bit: 14, name: 'NT' },
    { bit: 16, name: 'RF' },
    { bit: 17, name: 'VM' },
    { bit: 18, name: 'AC' },
    { bit: 19, name: 'VIF' },
    { bit: 20, name: 'VIP' },
    { bit: 21, name: 'ID' },
  ],
};

export interface DecodedRflags {
  names: string[];
  /** I/O privilege level, bits 12–13. */
  iopl: number;
  interruptsEnabled: boolean;
  /** Bit 1 is always 1 in a real RFLAGS image; 0 there (or bits ≥ 22 set) means the value is not RFLAGS. */
  plausible: boolean;
}

export function decodeRflags(value: bigint): DecodedRflags {
  const { names } = decodeBits(value, RFLAGS_TABLE, 22);
  const iopl = Number((value >> 12n) & 3n);
  if (iopl) names.push(`IOPL=${iopl}`);
  return {
    names,
    iopl,
    interruptsEnabled: (value & 0x200n) !== 0n,
    plausible: (value & 2n) !== 0n && value >> 22n === 0n,
  };
}

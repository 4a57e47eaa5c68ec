/**
 * Register sets as the kernel saved or printed them (pt_regs of an exception frame, NT_PRSTATUS,
 * the register block of an oops or of crash's `bt`). Names are lower case without `%`:
 * x86_64 `rip rsp rflags rax … r15 orig_rax cs ss fs_base gs_base cr2 …`; arm64 `pc lr sp x0 … x30 pstate`.
 */

import type { Evidence } from './evidence.js';

export type RegisterName = string;

/**
 * Machine code bytes around the RIP as an oops or NMI backtrace prints them (`Code: 48 89 e5 <0f> 0b`):
 * the bytes in memory order, `faultIndex` the marked byte, the first byte of the instruction at RIP.
 */
export interface CodeBytes {
  bytes: number[];
  faultIndex?: number;
  evidence?: Evidence;
}

export interface RegisterSet {
  arch?: 'x86_64' | 'arm64' | 'other';
  values: Record<RegisterName, bigint>;
  /** The `Code:` line printed with these registers (console logs), around their RIP. */
  code?: CodeBytes;
  /** Where the register set was printed/saved. */
  evidence?: Evidence;
}

/** x86 RFLAGS.IF: interrupts enabled when set. */
export const RFLAGS_IF = 0x200n;
/** arm64 PSTATE.I: IRQs masked when set. */
export const PSTATE_I = 0x80n;

export function interruptsDisabled(regs: RegisterSet | undefined): boolean | undefined {
  const rflags = regs?.values.rflags ?? regs?.values.eflags;
  if (rflags !== undefined) return (rflags & RFLAGS_IF) === 0n;
  // arm64: PSTATE.I (bit 7, the I of DAIF) masks IRQs.
  const pstate = regs?.values.pstate;
  if (pstate !== undefined) return (pstate & PSTATE_I) !== 0n;
  return undefined;
}

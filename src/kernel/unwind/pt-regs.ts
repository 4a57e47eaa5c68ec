/**
 * x86_64 register frames on kernel stacks. `struct pt_regs` (arch/x86/include/asm/ptrace.h) has
 * had the same 21 slots since the x86_64 port (the order of `struct user_regs_struct`, which
 * NT_PRSTATUS also uses); `struct inactive_task_frame` (arch/x86/include/asm/switch_to.h) is what
 * `__switch_to_asm` pushes before saving `thread.sp`. Register names are the model's (`rip`, `rsp`,
 * `rflags`, lower case, no `%`). Public names: PT_REGS_NAMES, PT_REGS_SIZE, IRET_FRAME_OFFSET,
 * IRET_FRAME_SIZE, ptRegsOffset, decodePtRegs, isUserMode, InactiveFrameLayout,
 * DEFAULT_INACTIVE_FRAME.
 */

import { PT_REGS_NAMES, type PtRegName } from '../x86_64/registers.js';

export { PT_REGS_NAMES, type PtRegName } from '../x86_64/registers.js';

export const PT_REGS_SIZE = PT_REGS_NAMES.length * 8;
/** offsetof(struct pt_regs, ip): where the hardware IRET frame starts. */
export const IRET_FRAME_OFFSET = 16 * 8;
/** ip, cs, flags, sp, ss. */
export const IRET_FRAME_SIZE = 5 * 8;

export function ptRegsOffset(name: PtRegName): number {
  return PT_REGS_NAMES.indexOf(name) * 8;
}

/**
 * Registers from the bytes of a pt_regs. `partial` = only the IRET frame is valid (ORC
 * REGS_PARTIAL: `bytes` then starts at `ip`), so only rip/cs/rflags/rsp/ss are returned.
 */
export function decodePtRegs(bytes: Uint8Array, partial = false): Record<string, bigint> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, bigint> = {};
  const names = partial ? PT_REGS_NAMES.slice(16) : PT_REGS_NAMES;
  names.forEach((name, i) => {
    if ((i + 1) * 8 <= view.byteLength) out[name] = view.getBigUint64(i * 8, true);
  });
  return out;
}

/** CS with RPL 3: the frame returns to user space (the kernel's `user_mode()`). */
export function isUserMode(regs: Record<string, bigint>): boolean {
  const cs = regs.cs;
  return cs !== undefined && (cs & 3n) === 3n;
}

/** Offsets in `struct inactive_task_frame` (BTF when available). */
export interface InactiveFrameLayout {
  bp: number;
  retAddr: number;
  size: number;
}

/** x86_64 since v4.9 (r15 r14 r13 r12 bx bp ret_addr); the `flags` slot of v5.0–v5.2 moved bp by 8. */
export const DEFAULT_INACTIVE_FRAME: InactiveFrameLayout = { bp: 0x28, retAddr: 0x30, size: 0x38 };

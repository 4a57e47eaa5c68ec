/**
 * x86_64 register notes. `struct elf_prstatus` (336 bytes): pr_pid @32, pr_reg @112 = 27 u64 in
 * `struct user_regs_struct` order. QEMU's `QEMUCPUState` (version 1): general registers, segment
 * descriptors, control registers, kernel_gs_base.
 */

import { corrupt } from '../errors.js';
import { i32, u32, u64 } from '../io/endian.js';
import { USER_REGS_NAMES } from '../kernel/x86_64/registers.js';
import type { RegisterSet } from '../model/registers.js';

export interface PrStatus {
  /** Position among the dump's NT_PRSTATUS notes = CPU number as the dump enumerates CPUs. */
  cpu: number;
  /** Thread id running on the CPU (pr_pid). */
  pid: number;
  registers: RegisterSet;
}

export interface QemuCpuState {
  cpu: number;
  registers: RegisterSet;
}

const PRSTATUS_SIZE = 336;
const PR_PID = 32;
const PR_REG = 112;

export function parsePrStatus(desc: Uint8Array, cpu: number, noteOffset: number): PrStatus {
  if (desc.length < PR_REG + USER_REGS_NAMES.length * 8) {
    throw corrupt('NT_PRSTATUS note', noteOffset, `${desc.length} bytes, expected ${PRSTATUS_SIZE} (x86_64)`);
  }
  const values: Record<string, bigint> = {};
  USER_REGS_NAMES.forEach((name, i) => {
    values[name] = u64(desc, PR_REG + i * 8);
  });
  return {
    cpu,
    pid: i32(desc, PR_PID),
    registers: {
      arch: 'x86_64',
      values,
      evidence: { source: 'dump', cpu, fileOffset: noteOffset, note: 'NT_PRSTATUS' },
    },
  };
}

const QEMU_GPRS = [
  'rax',
  'rbx',
  'rcx',
  'rdx',
  'rsi',
  'rdi',
  'rsp',
  'rbp',
  'r8',
  'r9',
  'r10',
  'r11',
  'r12',
  'r13',
  'r14',
  'r15',
  'rip',
  'rflags',
] as const;
const QEMU_SEGMENTS = ['cs', 'ds', 'es', 'fs', 'gs', 'ss', 'ldt', 'tr', 'gdt', 'idt'] as const;
const QEMU_SEGMENT_SIZE = 24; // u32 selector, limit, flags, pad; u64 base

/** QEMUCPUState: u32 version, u32 size, 18 u64 registers, 10 segments, cr0..cr4, kernel_gs_base. */
export function parseQemuCpuState(
  desc: Uint8Array,
  cpu: number,
  noteOffset: number,
): QemuCpuState | undefined {
  if (desc.length < 8) return undefined;
  const version = u32(desc, 0);
  const size = u32(desc, 4);
  const crOffset = 8 + QEMU_GPRS.length * 8 + QEMU_SEGMENTS.length * QEMU_SEGMENT_SIZE;
  if (version !== 1 || size > desc.length || size < crOffset + 5 * 8) return undefined;
  const values: Record<string, bigint> = {};
  QEMU_GPRS.forEach((name, i) => {
    values[name] = u64(desc, 8 + i * 8);
  });
  QEMU_SEGMENTS.forEach((name, i) => {
    const at = 8 + QEMU_GPRS.length * 8 + i * QEMU_SEGMENT_SIZE;
    if (name === 'fs' || name === 'gs') values[`${name}_base`] = u64(desc, at + 16);
    else if (name !== 'ldt' && name !== 'tr' && name !== 'gdt' && name !== 'idt')
      values[name] = BigInt(u32(desc, at));
  });
  for (let i = 0; i < 5; i++) values[`cr${i}`] = u64(desc, crOffset + i * 8);
  if (size >= crOffset + 6 * 8) values.kernel_gs_base = u64(desc, crOffset + 40);
  return {
    cpu,
    registers: {
      arch: 'x86_64',
      values,
      evidence: { source: 'dump', cpu, fileOffset: noteOffset, note: 'QEMU CPU state' },
    },
  };
}

/**
 * x86_64 thread_info flags (TIF_*), per kernel version.
 *
 * Public names: `TIF_TABLES`, `selectTifTable`, `decodeThreadFlags`.
 *
 * Sources (arch/x86/include/asm/thread_info.h):
 * - v3.10 (also RHEL7 3.10.0-*.el7): SYSCALL_TRACE 0 … NEED_RESCHED 3 … SYSCALL_AUDIT 7 … X32 30.
 * - v4.x–v5.10: the syscall-work bits still here; SSBD 5 (v4.17), SPEC_IB 9 / SPEC_FORCE_UPDATE 10
 *   (v4.20), PATCH_PENDING 13, NEED_FPU_LOAD 14, NOCPUID 15, POLLING_NRFLAG 21.
 * - v5.11–v6.12: SYSCALL_TRACE/AUDIT/EMU/SECCOMP/TRACEPOINT moved to `thread_info.syscall_work`
 *   (generic entry, v5.11); NOTIFY_SIGNAL 17; SPEC_L1D_FLUSH 10, SPEC_FORCE_UPDATE 23 (v5.15).
 * - v6.13+: NEED_RESCHED_LAZY 4 shifts SINGLESTEP to 5 and SSBD to 6 (lazy preemption).
 */

import { type BitTable, decodeBits } from './bits.js';
import { inRange, type KernelVersion, type VersionRange } from './version.js';

interface TifTable extends BitTable {
  range: VersionRange;
}

const V3_10: TifTable = {
  id: 'tif x86_64 3.10',
  range: { from: '2.6.38', to: '4.0' },
  source: 'arch/x86/include/asm/thread_info.h of linux-3.10',
  bits: [
    { bit: 0, name: 'TIF_SYSCALL_TRACE' },
    { bit: 1, name: 'TIF_NOTIFY_RESUME' },
    { bit: 2, name: 'TIF_SIGPENDING' },
    { bit: 3, name: 'TIF_NEED_RESCHED' },
    { bit: 4, name: 'TIF_SINGLESTEP' },
    { bit: 6, name: 'TIF_SYSCALL_EMU' },
    { bit: 7, name: 'TIF_SYSCALL_AUDIT' },
    { bit: 8, name: 'TIF_SECCOMP' },
    { bit: 10, name: 'TIF_MCE_NOTIFY' },
    { bit: 11, name: 'TIF_USER_RETURN_NOTIFY' },
    { bit: 12, name: 'TIF_UPROBE' },
    { bit: 16, name: 'TIF_NOTSC' },
    { bit: 17, name: 'TIF_IA32' },
    { bit: 18, name: 'TIF_FORK' },
    { bit: 19, name: 'TIF_NOHZ' },
    { bit: 20, name: 'TIF_MEMDIE' },
    { bit: 21, name: 'TIF_DEBUG' },
    { bit: 22, name: 'TIF_IO_BITMAP' },
    { bit: 24, name: 'TIF_FORCED_TF' },
    { bit: 25, name: 'TIF_BLOCKSTEP' },
    { bit: 27, name: 'TIF_LAZY_MMU_UPDATES' },
    { bit: 28, name: 'TIF_SYSCALL_TRACEPOINT' },
    { bit: 29, name: 'TIF_ADDR32' },
    { bit: 30, name: 'TIF_X32' },
  ],
};

const V4: TifTable = {
  id: 'tif x86_64 4.x-5.10',
  range: { from: '4.0', to: '5.11' },
  source: 'arch/x86/include/asm/thread_info.h of linux-4.x/5.10',
  bits: [
    { bit: 0, name: 'TIF_SYSCALL_TRACE' },
    { bit: 1, name: 'TIF_NOTIFY_RESUME' },
    { bit: 2, name: 'TIF_SIGPENDING' },
    { bit: 3, name: 'TIF_NEED_RESCHED' },
    { bit: 4, name: 'TIF_SINGLESTEP' },
    { bit: 5, name: 'TIF_SSBD' },
    { bit: 6, name: 'TIF_SYSCALL_EMU' },
    { bit: 7, name: 'TIF_SYSCALL_AUDIT' },
    { bit: 8, name: 'TIF_SECCOMP' },
    { bit: 9, name: 'TIF_SPEC_IB' },
    { bit: 10, name: 'TIF_SPEC_FORCE_UPDATE' },
    { bit: 11, name: 'TIF_USER_RETURN_NOTIFY' },
    { bit: 12, name: 'TIF_UPROBE' },
    { bit: 13, name: 'TIF_PATCH_PENDING' },
    { bit: 14, name: 'TIF_NEED_FPU_LOAD' },
    { bit: 15, name: 'TIF_NOCPUID' },
    { bit: 16, name: 'TIF_NOTSC' },
    { bit: 17, name: 'TIF_IA32' },
    { bit: 19, name: 'TIF_NOHZ' },
    { bit: 20, name: 'TIF_MEMDIE' },
    { bit: 21, name: 'TIF_POLLING_NRFLAG' },
    { bit: 22, name: 'TIF_IO_BITMAP' },
    { bit: 24, name: 'TIF_FORCED_TF' },
    { bit: 25, name: 'TIF_BLOCKSTEP' },
    { bit: 27, name: 'TIF_LAZY_MMU_UPDATES' },
    { bit: 28, name: 'TIF_SYSCALL_TRACEPOINT' },
    { bit: 29, name: 'TIF_ADDR32' },
    { bit: 30, name: 'TIF_X32' },
  ],
};

const V5_11: TifTable = {
  id: 'tif x86_64 5.11-6.12',
  range: { from: '5.11', to: '6.13' },
  source: 'arch/x86/include/asm/thread_info.h of linux-6.1',
  bits: [
    { bit: 1, name: 'TIF_NOTIFY_RESUME' },
    { bit: 2, name: 'TIF_SIGPENDING' },
    { bit: 3, name: 'TIF_NEED_RESCHED' },
    { bit: 4, name: 'TIF_SINGLESTEP' },
    { bit: 5, name: 'TIF_SSBD' },
    { bit: 9, name: 'TIF_SPEC_IB' },
    { bit: 10, name: 'TIF_SPEC_L1D_FLUSH' },
    { bit: 11, name: 'TIF_USER_RETURN_NOTIFY' },
    { bit: 12, name: 'TIF_UPROBE' },
    { bit: 13, name: 'TIF_PATCH_PENDING' },
    { bit: 14, name: 'TIF_NEED_FPU_LOAD' },
    { bit: 15, name: 'TIF_NOCPUID' },
    { bit: 16, name: 'TIF_NOTSC' },
    { bit: 17, name: 'TIF_NOTIFY_SIGNAL' },
    { bit: 18, name: 'TIF_SLD' },
    { bit: 20, name: 'TIF_MEMDIE' },
    { bit: 21, name: 'TIF_POLLING_NRFLAG' },
    { bit: 22, name: 'TIF_IO_BITMAP' },
    { bit: 23, name: 'TIF_SPEC_FORCE_UPDATE' },
    { bit: 24, name: 'TIF_FORCED_TF' },
    { bit: 25, name: 'TIF_BLOCKSTEP' },
    { bit: 27, name: 'TIF_LAZY_MMU_UPDATES' },
    { bit: 29, name: 'TIF_ADDR32' },
  ],
};

const V6_13: TifTable = {
  id: 'tif x86_64 6.13+',
  range: { from: '6.13' },
  source: 'arch/x86/include/asm/thread_info.h of linux-6.13 (TIF_NEED_RESCHED_LAZY)',
  bits: [
    { bit: 1, name: 'TIF_NOTIFY_RESUME' },
    { bit: 2, name: 'TIF_SIGPENDING' },
    { bit: 3, name: 'TIF_NEED_RESCHED' },
    { bit: 4, name: 'TIF_NEED_RESCHED_LAZY' },
    { bit: 5, name: 'TIF_SINGLESTEP' },
    { bit: 6, name: 'TIF_SSBD' },
    { bit: 9, name: 'TIF_SPEC_IB' },
    { bit: 10, name: 'TIF_SPEC_L1D_FLUSH' },
    { bit: 11, name: 'TIF_USER_RETURN_NOTIFY' },
    { bit: 12, name: 'TIF_UPROBE' },
    { bit: 13, name: 'TIF_PATCH_PENDING' },
    { bit: 14, name: 'TIF_NEED_FPU_LOAD' },
    { bit: 15, name: 'TIF_NOCPUID' },
    { bit: 16, name: 'TIF_NOTSC' },
    { bit: 17, name: 'TIF_NOTIFY_SIGNAL' },
    { bit: 20, name: 'TIF_MEMDIE' },
    { bit: 21, name: 'TIF_POLLING_NRFLAG' },
    { bit: 22, name: 'TIF_IO_BITMAP' },
    { bit: 23, name: 'TIF_SPEC_FORCE_UPDATE' },
    { bit: 24, name: 'TIF_FORCED_TF' },
    { bit: 25, name: 'TIF_BLOCKSTEP' },
    { bit: 27, name: 'TIF_LAZY_MMU_UPDATES' },
    { bit: 29, name: 'TIF_ADDR32' },
  ],
};

export const TIF_TABLES: readonly BitTable[] = [V3_10, V4, V5_11, V6_13];

export function selectTifTable(version: KernelVersion | undefined): BitTable | undefined {
  if (!version) return undefined;
  return [V3_10, V4, V5_11, V6_13].find((t) => inRange(version, t.range));
}

export function decodeThreadFlags(
  flags: bigint,
  version: KernelVersion | undefined,
): { names: string[]; unknown: bigint; table: BitTable } | undefined {
  const table = selectTifTable(version);
  if (!table) return undefined;
  return { ...decodeBits(flags, table, 32), table };
}

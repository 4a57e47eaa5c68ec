/**
 * x86_64 register save layouts the kernel's ABI fixes. Names are the model's (`rip`, `rflags`,
 * lower case, no `%`).
 *
 * `struct pt_regs` (arch/x86/include/asm/ptrace.h) has had these 21 slots since the x86_64 port;
 * `struct user_regs_struct` (arch/x86/include/asm/user_64.h), which NT_PRSTATUS's `pr_reg` holds,
 * is the same 21 followed by the segment bases and selectors.
 */

export const PT_REGS_NAMES = [
  'r15',
  'r14',
  'r13',
  'r12',
  'rbp',
  'rbx',
  'r11',
  'r10',
  'r9',
  'r8',
  'rax',
  'rcx',
  'rdx',
  'rsi',
  'rdi',
  'orig_rax',
  'rip',
  'cs',
  'rflags',
  'rsp',
  'ss',
] as const;

export const USER_REGS_NAMES = [...PT_REGS_NAMES, 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs'] as const;

export type PtRegName = (typeof PT_REGS_NAMES)[number];

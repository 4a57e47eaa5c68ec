/**
 * The address a decoded memory operand refers to with a given register set: `disp(base,index,scale)`
 * with 64-bit register values, RIP-relative through the address the decoder resolved. Sub-registers
 * (`%r12d`, `%eax`) name their 64-bit register. Public names: register64, effectiveAddress,
 * writesRegister.
 */

import type { Instruction, MemoryOperand } from '../../model/memory.js';

const LEGACY: Record<string, string> = {
  al: 'rax',
  ah: 'rax',
  ax: 'rax',
  eax: 'rax',
  bl: 'rbx',
  bh: 'rbx',
  bx: 'rbx',
  ebx: 'rbx',
  cl: 'rcx',
  ch: 'rcx',
  cx: 'rcx',
  ecx: 'rcx',
  dl: 'rdx',
  dh: 'rdx',
  dx: 'rdx',
  edx: 'rdx',
  sil: 'rsi',
  si: 'rsi',
  esi: 'rsi',
  dil: 'rdi',
  di: 'rdi',
  edi: 'rdi',
  bpl: 'rbp',
  bp: 'rbp',
  ebp: 'rbp',
  spl: 'rsp',
  sp: 'rsp',
  esp: 'rsp',
};

/** `%r12d` / `eax` / `r8b` → `r12` / `rax` / `r8`, the names of the model's RegisterSet. */
export function register64(name: string): string {
  const n = name.replace(/^%/, '').toLowerCase();
  const r = /^(r\d{1,2})[bwd]?$/.exec(n);
  if (r) return r[1]!;
  return LEGACY[n] ?? n;
}

export function effectiveAddress(
  op: MemoryOperand,
  regs: Record<string, bigint>,
  ins?: Instruction,
): bigint | undefined {
  if (op.segment) return undefined; // %gs: per-cpu, needs the CPU's segment base
  if (op.absolute !== undefined) return op.absolute;
  if (op.ripRelative) {
    if (!ins?.length) return undefined;
    return BigInt.asUintN(64, ins.address + BigInt(ins.length) + op.displacement);
  }
  let address = op.displacement;
  if (op.base) {
    const v = regs[register64(op.base)];
    if (v === undefined) return undefined;
    address += v;
  }
  if (op.index) {
    const v = regs[register64(op.index)];
    if (v === undefined) return undefined;
    address += v * BigInt(op.scale ?? 1);
  }
  return BigInt.asUintN(64, address);
}

/** True when the instruction's destination (AT&T: the last operand) is this 64-bit register. */
export function writesRegister(ins: Instruction, reg64: string): boolean {
  if (/^(test|cmp|bt|push|j|call|pause|nop)/.test(ins.mnemonic.replace(/^lock\s+/, ''))) return false;
  const last =
    ins.operands
      .replace(/\s*#.*$/, '')
      .split(',')
      .pop()
      ?.trim() ?? '';
  return /^%\w+$/.test(last) && register64(last) === reg64;
}

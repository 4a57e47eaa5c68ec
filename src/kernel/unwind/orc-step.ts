/**
 * One step of the ORC unwinder: from a frame's (ip, sp, bp) to its caller's, following the
 * kernel's `unwind_next_frame()` (arch/x86/kernel/unwind_orc.c) rule by rule, on a dump instead of
 * live memory. Also the frame-pointer guess the kernel falls back to where a text address has no
 * ORC entry (`orc_fp_entry`: generated code, BPF). Public names: UnwindRegs, UnwindState,
 * StepResult, orcStep, framePointerStep.
 *
 * SP_INDIRECT semantics: since 87ccc826bf1c ("x86/unwind/orc: Change REG_SP_INDIRECT", v5.12) the
 * previous SP is `*(sp) + sp_offset` (the stack-switch pattern of `call_on_irqstack()` saves the old
 * SP at the top of the IRQ stack); before, it was `*(sp + sp_offset)`. The `spIndirectAddsAfter`
 * option picks one; `orcStep` callers derive it from the kernel release.
 */

import { newOrcEntry, type OrcEntry, OrcReg, OrcType } from './orc-format.js';
import type { OrcTables } from './orc-table.js';
import {
  decodePtRegs,
  IRET_FRAME_OFFSET,
  IRET_FRAME_SIZE,
  isUserMode,
  PT_REGS_SIZE,
  type PtRegName,
} from './pt-regs.js';
import type { StackMemory } from './stack-memory.js';

/** A register frame in effect for the current unwind position. */
export interface UnwindRegs {
  /** Address of the pt_regs on the stack; undefined for registers saved elsewhere (NT_PRSTATUS). */
  address?: bigint;
  values: Record<string, bigint>;
  /** false = only the IRET frame (ip, cs, flags, sp, ss) is valid (REGS_PARTIAL). */
  full: boolean;
}

export interface UnwindState {
  ip: bigint;
  sp: bigint;
  bp: bigint;
  /** `ip` is exact (an interrupted instruction), not a return address: look it up as is, not ip-1. */
  signal: boolean;
  regs?: UnwindRegs;
  prevRegs?: UnwindRegs;
}

export type StepResult =
  /** The state now describes the caller. `slot`: where its return address was read. `crossed`: a pt_regs was. */
  | { kind: 'frame'; slot?: bigint; crossed?: UnwindRegs }
  /** Normal end: user-mode registers, or an ORC end-of-stack hint (ret_from_fork, startup). */
  | { kind: 'end'; why: string }
  | { kind: 'error'; why: string };

export interface OrcStepOptions {
  /** SP_INDIRECT adds sp_offset after the dereference (v5.12+). */
  spIndirectAddsAfter: boolean;
}

const scratch = newOrcEntry();

function getReg(state: UnwindState, name: PtRegName): bigint | undefined {
  if (!state.regs) return undefined;
  if (state.regs.full) return state.regs.values[name];
  return state.prevRegs?.values[name];
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** Reads a pt_regs at `at` (`partial`: the IRET frame at `at`, i.e. pt_regs at at - IRET_FRAME_OFFSET). */
function readRegs(mem: StackMemory, at: bigint, partial: boolean): UnwindRegs | undefined {
  const bytes = partial ? mem.bytes(at, IRET_FRAME_SIZE) : mem.bytes(at, PT_REGS_SIZE);
  if (!bytes) return undefined;
  return {
    address: partial ? at - BigInt(IRET_FRAME_OFFSET) : at,
    values: decodePtRegs(bytes, partial),
    full: !partial,
  };
}

/** Advances `state` to the caller using the ORC entry for its IP. */
export function orcStep(
  state: UnwindState,
  tables: OrcTables,
  mem: StackMemory,
  options: OrcStepOptions,
): StepResult {
  if (state.regs && isUserMode(state.regs.values)) return { kind: 'end', why: 'user mode' };
  const orc: OrcEntry = scratch;
  if (!tables.find(state.signal ? state.ip : state.ip - 1n, orc)) {
    return { kind: 'error', why: `no ORC entry for ${hex(state.ip)}` };
  }
  if (orc.type === OrcType.endOfStack) return { kind: 'end', why: 'end of stack' };
  if (orc.type === OrcType.undefined)
    return { kind: 'error', why: `ORC says the stack is undefined at ${hex(state.ip)}` };
  return applyEntry(state, orc, mem, options);
}

/** The kernel's guess for code without ORC data: a frame-pointer frame (push %rbp; mov %rsp,%rbp). */
export function framePointerStep(state: UnwindState, mem: StackMemory): StepResult {
  const orc: OrcEntry = {
    spReg: OrcReg.bp,
    spOffset: 16,
    bpReg: OrcReg.prevSp,
    bpOffset: -16,
    type: OrcType.call,
    signal: false,
  };
  return applyEntry(state, orc, mem, { spIndirectAddsAfter: true });
}

function applyEntry(
  state: UnwindState,
  orc: OrcEntry,
  mem: StackMemory,
  options: OrcStepOptions,
): StepResult {
  const origIp = state.ip;
  const prevSp = state.sp;
  const prevKind = mem.kindOf(prevSp);
  let sp: bigint | undefined;
  let indirect = false;
  switch (orc.spReg) {
    case OrcReg.sp:
      sp = state.sp + BigInt(orc.spOffset);
      break;
    case OrcReg.bp:
      sp = state.bp + BigInt(orc.spOffset);
      break;
    case OrcReg.spIndirect:
      sp = options.spIndirectAddsAfter ? state.sp : state.sp + BigInt(orc.spOffset);
      indirect = true;
      break;
    case OrcReg.bpIndirect:
      sp = state.bp + BigInt(orc.spOffset);
      indirect = true;
      break;
    case OrcReg.r10:
      sp = getReg(state, 'r10');
      break;
    case OrcReg.r13:
      sp = getReg(state, 'r13');
      break;
    case OrcReg.di:
      sp = getReg(state, 'rdi');
      break;
    case OrcReg.dx:
      sp = getReg(state, 'rdx');
      break;
    default:
      return { kind: 'error', why: `unknown ORC SP register ${orc.spReg} at ${hex(origIp)}` };
  }
  if (sp === undefined)
    return { kind: 'error', why: `ORC needs a register the frame does not have at ${hex(origIp)}` };
  sp &= 0xffffffffffffffffn;
  if (indirect) {
    const v = mem.word(sp);
    if (v === undefined) return { kind: 'error', why: `cannot read the saved stack pointer at ${hex(sp)}` };
    sp = v;
    if (orc.spReg === OrcReg.spIndirect && options.spIndirectAddsAfter) sp += BigInt(orc.spOffset);
  }

  let slot: bigint | undefined;
  let crossed: UnwindRegs | undefined;
  switch (orc.type) {
    case OrcType.call: {
      slot = sp - 8n;
      const ip = mem.word(slot);
      if (ip === undefined) return { kind: 'error', why: `cannot read the return address at ${hex(slot)}` };
      state.ip = ip;
      state.sp = sp;
      state.regs = undefined;
      state.prevRegs = undefined;
      break;
    }
    case OrcType.regs: {
      const regs = readRegs(mem, sp, false);
      if (!regs) return { kind: 'error', why: `cannot read the registers at ${hex(sp)}` };
      state.ip = regs.values.rip!;
      state.sp = regs.values.rsp!;
      state.regs = regs;
      state.prevRegs = undefined;
      crossed = regs;
      break;
    }
    case OrcType.regsPartial: {
      const regs = readRegs(mem, sp, true);
      if (!regs) return { kind: 'error', why: `cannot read the IRET frame at ${hex(sp)}` };
      state.ip = regs.values.rip!;
      state.sp = regs.values.rsp!;
      if (state.regs?.full) state.prevRegs = state.regs;
      state.regs = regs;
      crossed = regs;
      break;
    }
    default:
      return { kind: 'error', why: `unknown ORC entry type ${orc.type} at ${hex(origIp)}` };
  }
  state.signal = orc.signal;

  switch (orc.bpReg) {
    case OrcReg.undefined: {
      const bp = getReg(state, 'rbp');
      if (bp !== undefined) state.bp = bp;
      break;
    }
    case OrcReg.prevSp: {
      const bp = mem.word(sp + BigInt(orc.bpOffset));
      if (bp === undefined)
        return {
          kind: 'error',
          why: `cannot read the saved frame pointer at ${hex(sp + BigInt(orc.bpOffset))}`,
        };
      state.bp = bp;
      break;
    }
    case OrcReg.bp: {
      const bp = mem.word(state.bp + BigInt(orc.bpOffset));
      if (bp === undefined) return { kind: 'error', why: 'cannot read the saved frame pointer' };
      state.bp = bp;
      break;
    }
    default:
      return { kind: 'error', why: `unknown ORC BP register ${orc.bpReg} at ${hex(origIp)}` };
  }

  // Bad ORC data (or a guess) must not loop: on the same stack the caller's SP is higher.
  if (mem.kindOf(state.sp) === prevKind && mem.regionOf(state.sp) && state.sp <= prevSp) {
    return { kind: 'error', why: `stack going in the wrong direction at ${hex(origIp)}` };
  }
  return { kind: 'frame', ...(slot !== undefined ? { slot } : {}), ...(crossed ? { crossed } : {}) };
}

/**
 * Interrupt state: a saved RFLAGS with IF clear means the stopped code ran with interrupts
 * disabled — why a hard lockup is a *hard* lockup. Then: which frame disabled them. A frame whose
 * function disables interrupts and is still on the stack (`*_irqsave`, `*_irq`, known callers
 * such as get_futex_key under THP), else hard-IRQ context, else the innermost caller that is not
 * lock plumbing (the disabling call has returned; the caller did it earlier).
 */

import {
  type CodeView,
  type Evidence,
  type Instruction,
  interruptsDisabled,
  type Stack,
} from '../model/index.js';
import { caughtInTheAct, insideAnyLoop, isReporting, stoppedActivity } from './activity.js';
import { baseName, contextFrames, isUserRegs, locate, owner, stacksOf, uniqueStacks } from './frames.js';
import { isSpinFunction, spin } from './spin.js';
import { defineAnalyzer, type Finding } from './types.js';

/** Functions known to run their callees with interrupts disabled, and why (kernel versions where it applies). */
export const IRQ_DISABLING_CALLERS: Record<string, string> = {
  get_futex_key:
    'with CONFIG_TRANSPARENT_HUGEPAGE (≤ v4.4) it calls local_irq_disable() around __get_user_pages_fast() for a THP tail page and calls put_page() inside that region',
  __get_user_pages_fast:
    'walks page tables with local_irq_save() (serialises against THP split and page-table freeing)',
  get_user_pages_fast: 'disables interrupts for the lockless page-table walk',
  gup_fast: 'disables interrupts for the lockless page-table walk',
  lockless_pages_from_mm: 'disables interrupts for the lockless page-table walk',
  __schedule: 'holds the runqueue lock with interrupts disabled',
  try_to_wake_up: 'takes p->pi_lock with raw_spin_lock_irqsave()',
  console_unlock: 'prints to the consoles with logbuf_lock / console locks taken irqsave',
  vprintk_emit: 'takes logbuf_lock with interrupts disabled',
  multi_cpu_stop: 'stop_machine: every CPU spins with interrupts disabled',
  stop_machine_cpu_stop: 'stop_machine: every CPU spins with interrupts disabled',
  panic: 'panic() disables local interrupts',
  native_flush_tlb_others: 'waits for TLB-flush IPIs',
  flush_tlb_others: 'waits for TLB-flush IPIs',
};

/** Interrupt entry and exit code: runs with interrupts off by design (hard-IRQ context). */
const ENTRY_CODE =
  /^(asm_\w+|common_interrupt\w*|\w+_interrupt|\w*interrupt_return|ret_from_intr|retint_\w+|irqentry_\w+|irq_enter\w*|irq_exit\w*|restore_regs_and_return_to_kernel|swapgs_restore_regs_and_return_to_usermode|native_iret|error_entry|error_exit|paranoid_entry|paranoid_exit)$/;

/** Lock and irq primitives that return with interrupts off (`irqtime_account_irq` merely ends in _irq). */
const DISABLING_NAME =
  /(_irqsave|_lock_irq|irqoff|irq_off|_noirq|irq_disable)$|^(local_irq_disable|local_irq_save|arch_local_irq_disable|arch_local_irq_save|native_irq_disable|raw_local_irq_save|trace_hardirqs_off)$/;

export interface IrqState {
  stack: number;
  cpu?: number;
  pid?: number;
  comm?: string;
  disabled: boolean;
  rflags?: bigint;
  /** The frame that disabled interrupts, or the best guess, with the reason. */
  by?: { fn: string; frame: number; why: string; certain: boolean; evidence?: Evidence };
  evidence: Evidence[];
}

export const irqState = defineAnalyzer<IrqState[]>({
  meta: {
    id: 'irq',
    description: 'RFLAGS.IF of stopped contexts, and the frame that disabled interrupts',
  },
  analyze(crash, context) {
    const states: IrqState[] = [];
    const seen = new Set<string>();
    const keep = new Set(uniqueStacks(crash));
    stacksOf(crash).forEach((stack, index) => {
      if (!keep.has(index)) return;
      const loc = locate(stack);
      if (!loc.regs || isUserRegs(loc.regs)) return;
      const disabled = interruptsDisabled(loc.regs);
      if (disabled === undefined) return;
      const key = `${stack.task ?? stack.pid ?? `#${index}`}|${loc.address}`;
      if (seen.has(key)) return;
      seen.add(key);
      const state: IrqState = { stack: index, disabled, evidence: [] };
      if (stack.cpu !== undefined) state.cpu = stack.cpu;
      if (stack.pid !== undefined) state.pid = stack.pid;
      if (stack.comm !== undefined) state.comm = stack.comm;
      const rflags = loc.regs.values.rflags ?? loc.regs.values.eflags;
      if (rflags !== undefined) state.rflags = rflags;
      const ev = loc.exception?.evidence ?? loc.regs.evidence ?? stack.evidence;
      if (ev) state.evidence.push(ev);
      if (disabled) {
        const by = disabler(stack, crash.code);
        if (by) {
          state.by = by;
          const frameEvidence = stack.frames[by.frame]?.evidence;
          if (frameEvidence) state.evidence.push(frameEvidence);
          if (by.evidence) state.evidence.push(by.evidence);
        }
      }
      states.push(state);
    });
    // Worth a finding where it explains a lockup: CPUs caught in the act, or spinning. An oops' own
    // registers say IF too, but that the faulting code ran with interrupts off is rarely the story.
    const spinning = new Set(context.get(spin).spinners.map((s) => s.stack));
    const telling = states.filter((st) => {
      const stack = stacksOf(crash)[st.stack]!;
      if (spinning.has(st.stack)) return true;
      return caughtInTheAct(stack) && stoppedActivity(stack).activity !== 'reporting';
    });
    return { result: states, findings: findings(stacksOf(crash), telling) };
  },
});

function disabler(stack: Stack, code: CodeView | undefined): IrqState['by'] {
  const loc = locate(stack);
  const start = loc.frameIndex;
  const frames = stack.frames.slice(start);
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    if (!f.reliable || !f.fn) continue;
    const fn = baseName(f.fn)!;
    const known = IRQ_DISABLING_CALLERS[fn];
    if (known) return { fn, frame: start + i, why: known, certain: true };
    if (DISABLING_NAME.test(fn))
      return { fn, frame: start + i, why: 'its name says it disables interrupts', certain: true };
    if (f.context === 'irq' || ENTRY_CODE.test(fn))
      return {
        fn,
        frame: start + i,
        why: 'hard-IRQ context: the CPU disabled interrupts on entry',
        certain: true,
      };
  }
  const cli = code ? cliBeforeCall(stack, start, loc.address, code) : undefined;
  if (cli) return cli;
  // Nothing on the stack disables interrupts itself: the call that did has returned. The innermost
  // caller above the lock plumbing made it (e.g. spin_lock_irqsave() of a first lock).
  const callers = contextFrames(stack).filter(
    (f) => !isSpinFunction(f.fn) && !insideAnyLoop(f.fn) && !isReporting(f.fn),
  );
  const first = callers[0];
  if (!first?.fn) return undefined;
  const frame = stack.frames.indexOf(first);
  return {
    fn: baseName(first.fn)!,
    frame,
    why: 'no frame on the stack disables interrupts itself; the call that did has returned, so this caller (or one above it) disabled them earlier',
    certain: false,
  };
}

/** The function a direct call names (`0xffffffff89059af0 <_raw_spin_lock_irqsave>`). */
function calledName(ins: Instruction): string | undefined {
  return /<([\w.]+)(?:\+\d+)?>/.exec(ins.operands)?.[1];
}

const ENABLING = /(_irqrestore|_unlock_irq|irq_enable|local_irq_restore)$/;

/** What an instruction does to the interrupt flag: `cli`/a call that disables, `sti`/`popf`/a call that restores. */
function irqEffect(ins: Instruction): 'off' | 'on' | undefined {
  if (ins.mnemonic === 'cli') return 'off';
  if (/^(sti|popf[qw]?)$/.test(ins.mnemonic)) return 'on';
  if (!/^call/.test(ins.mnemonic)) return undefined;
  const name = baseName(calledName(ins));
  if (!name) return undefined;
  if (ENABLING.test(name)) return 'on';
  if (DISABLING_NAME.test(name) && !/_bh$/.test(name)) return 'off';
  return undefined;
}

/** Bytes of a function read before a call site: far enough for any prologue, bounded. */
const MAX_PREFIX = 2048;

/**
 * With the kernel text at hand: the innermost function whose code, from its start to where it is
 * (the RIP, or the return address of its call), executes `cli` (local_irq_disable, the end of
 * local_irq_save) with no `sti` after it. Read in address order, a straight-line approximation.
 */
function cliBeforeCall(stack: Stack, start: number, rip: bigint | undefined, code: CodeView): IrqState['by'] {
  for (let i = start; i < stack.frames.length; i++) {
    const f = stack.frames[i]!;
    if (!f.reliable || !f.fn || f.offset === undefined) continue;
    const at = i === start && rip !== undefined ? rip : f.address;
    if (at === undefined || f.offset > MAX_PREFIX) continue;
    const prefix = code.around(at, f.offset, 0).filter((x) => x.address < at);
    if (!prefix.length || prefix[0]!.address !== at - BigInt(f.offset)) continue;
    const last = [...prefix].reverse().find((x) => irqEffect(x) !== undefined);
    if (!last || irqEffect(last) !== 'off') continue;
    const where =
      last.fn !== undefined && last.offset !== undefined
        ? `${last.fn}+${last.offset}`
        : last.address.toString(16);
    const fn = baseName(f.fn)!;
    const what =
      last.mnemonic === 'cli'
        ? '`cli` (local_irq_disable/local_irq_save)'
        : `the call to ${calledName(last)} (it returns with interrupts off)`;
    return {
      fn,
      frame: i,
      why: `${what} at ${where}, and nothing enables them again before ${i === start ? 'the RIP' : `its call at ${fn}+${f.offset}`}`,
      certain: true,
      ...(last.evidence ? { evidence: last.evidence } : {}),
    };
  }
  return undefined;
}

function findings(stacks: Stack[], states: IrqState[]): Finding[] {
  // panic() disables interrupts on the CPU that panics: expected, not a finding.
  // An interrupt handler runs with interrupts off by design: only worth a word when it spins.
  const off = states.filter(
    (s) => s.disabled && s.by?.fn !== 'panic' && !(s.by?.why.startsWith('hard-IRQ context') ?? false),
  );
  if (off.length === 0) return [];
  const byFn = new Map<string, IrqState[]>();
  for (const s of off) {
    const k = s.by ? `${s.by.fn}|${s.by.certain}` : '?';
    byFn.set(k, [...(byFn.get(k) ?? []), s]);
  }
  return [...byFn.values()].map((list) => {
    const s = list[0]!;
    const who =
      list.length === 1
        ? owner(stacks[s.stack]!)
        : `${list.length} CPUs (${list.map((x) => x.cpu ?? '?').join(',')})`;
    const rflags =
      s.rflags !== undefined ? ` (RFLAGS ${s.rflags.toString(16).padStart(8, '0')}, IF clear)` : '';
    const by = s.by
      ? s.by.certain
        ? `; disabled by ${s.by.fn}: ${s.by.why}`
        : `; probably disabled in ${s.by.fn} — ${s.by.why}`
      : '';
    return {
      id: 'irq/disabled',
      severity: 'warning' as const,
      message: `Interrupts disabled on ${who}${rflags}${by}`,
      evidence: list.flatMap((x) => x.evidence).slice(0, 4),
    };
  });
}

/**
 * Where a backtrace starts, and the two places a dump's registers are not where the CPU was:
 * - a CPU stopped by the kdump NMI: NT_PRSTATUS holds the *interrupted* context (the NMI handler
 *   `crash_nmi_callback()` saves the NMI's pt_regs), while the CPU itself sits in the handler on its
 *   NMI stack. We find the handler's frame there and unwind through the NMI's pt_regs, as crash
 *   does, accepting it only when that unwind reaches exactly the saved registers;
 * - the panicking CPU: `__crash_kexec()` saved its registers (`crash_setup_regs()`), then called
 *   `machine_kexec()`, whose return address is still on the stack below the saved SP.
 * Sleeping tasks start from `thread.sp` (`struct inactive_task_frame`), like the kernel's
 * `__unwind_start()`. Public names: KDUMP_NMI_HANDLERS, KEXEC_PATH, backtraceFromRegisters,
 * backtraceOfSleepingTask, backtraceOfCpu.
 */

import type { UnwindState } from './orc-step.js';
import { DEFAULT_INACTIVE_FRAME, type InactiveFrameLayout } from './pt-regs.js';
import type { StackMemory } from './stack-memory.js';
import { type Backtrace, type BtFrame, type UnwindEnv, walkStack } from './walk.js';

/** NMI handlers kdump stops the other CPUs in (arch/x86/kernel/crash.c, reboot.c). */
export const KDUMP_NMI_HANDLERS = ['crash_nmi_callback'];

/** Functions that save the panic registers, and the function they call last (kernel/kexec_core.c). */
export const KEXEC_PATH = { savers: ['__crash_kexec', 'crash_kexec'], last: 'machine_kexec' };

/** How far below the saved SP machine_kexec's return address may lie (its frame is ~0x60 bytes). */
const KEXEC_SEARCH_BYTES = 0x400n;

function fnName(env: UnwindEnv, address: bigint): string | undefined {
  return env.symbols.lookup(address)?.symbol.name;
}

/** Unwind from a full register set (NT_PRSTATUS, an oops' pt_regs). */
export function backtraceFromRegisters(
  regs: Record<string, bigint>,
  mem: StackMemory,
  env: UnwindEnv,
): Backtrace {
  const rip = regs.rip ?? 0n;
  const rsp = regs.rsp ?? 0n;
  const state: UnwindState = {
    ip: rip,
    sp: rsp,
    bp: regs.rbp ?? 0n,
    signal: true,
    regs: { values: regs, full: true },
  };
  return walkStack(state, { pc: rip, slot: rsp, exact: true, reliable: true, how: 'regs' }, mem, env);
}

/**
 * The panicking CPU: frames `machine_kexec` then `__crash_kexec` at the return address of that
 * call, as crash shows them, when the stack bears them out; otherwise undefined.
 */
function kexecBacktrace(
  regs: Record<string, bigint>,
  mem: StackMemory,
  env: UnwindEnv,
): Backtrace | undefined {
  const rip = regs.rip;
  const rsp = regs.rsp;
  if (rip === undefined || rsp === undefined) return undefined;
  const saver = fnName(env, rip);
  if (!saver || !KEXEC_PATH.savers.includes(saver)) return undefined;
  const retSlot = rsp - 8n;
  const ret = mem.word(retSlot);
  if (ret === undefined || fnName(env, ret - 1n) !== saver) return undefined;
  let kexecSlot: bigint | undefined;
  let kexecPc: bigint | undefined;
  for (let at = retSlot - 8n; at >= retSlot - KEXEC_SEARCH_BYTES; at -= 8n) {
    const w = mem.word(at);
    if (w === undefined) break;
    if (env.isText(w) && fnName(env, w - 1n) === KEXEC_PATH.last) {
      kexecSlot = at;
      kexecPc = w;
      break;
    }
  }
  const state: UnwindState = { ip: ret, sp: rsp, bp: regs.rbp ?? 0n, signal: false };
  const bt = walkStack(state, { pc: ret, slot: retSlot, exact: false, reliable: true, how: 'orc' }, mem, env);
  if (kexecSlot !== undefined && kexecPc !== undefined) {
    bt.frames.unshift({
      pc: kexecPc,
      slot: kexecSlot,
      exact: false,
      stack: mem.kindOf(kexecSlot),
      reliable: true,
      how: 'search',
    });
    for (const e of bt.exceptions) e.beforeFrame++;
  }
  return bt;
}

/** A function's text range, from its symbol (size when known, else the next symbol). */
function rangeOf(env: UnwindEnv, name: string): { start: bigint; end: bigint } | undefined {
  const sym = env.symbols.byName(name);
  if (!sym) return undefined;
  if (sym.size) return { start: sym.address, end: sym.address + BigInt(sym.size) };
  const hit = env.symbols.lookup(sym.address);
  return hit?.symbol.size
    ? { start: sym.address, end: sym.address + BigInt(hit.symbol.size) }
    : { start: sym.address, end: sym.address + 0x400n };
}

/** Anchors searched for on a CPU's stacks, and the start each one means. */
const ANCHORS: { names: string[]; start: 'nmi' | 'kexec' }[] = [
  { names: KDUMP_NMI_HANDLERS, start: 'nmi' },
  { names: [KEXEC_PATH.last], start: 'kexec' },
];

/** Stacks in the order a stopped CPU's handler frames are likely on. */
const SEARCH_ORDER = ['nmi', 'irq', 'task', 'db', 'mce', 'df', 'vc', 'vc2', 'entry'];

/**
 * The dump registers are an *interrupted* context (the kdump NMI's pt_regs on the other CPUs; the
 * oops pt_regs `crash_kexec(regs)` was given on the panicking one): find the handler's return
 * address on the CPU's stacks and unwind from it, accepted only when that unwind crosses a pt_regs
 * equal to the saved registers (same RIP and RSP).
 */
function anchoredBacktrace(
  regs: Record<string, bigint>,
  mem: StackMemory,
  env: UnwindEnv,
): (Backtrace & { start: 'nmi' | 'kexec' }) | undefined {
  const anchors = ANCHORS.flatMap((a) =>
    a.names.flatMap((n) => {
      const r = rangeOf(env, n);
      return r ? [{ from: r.start, to: r.end, kind: a.start }] : [];
    }),
  );
  if (anchors.length === 0) return undefined;
  const regions = [...mem.regions].sort(
    (x, y) => SEARCH_ORDER.indexOf(x.kind) - SEARCH_ORDER.indexOf(y.kind),
  );
  for (const region of regions) {
    for (let at = region.start; at + 8n <= region.end; at += 8n) {
      const w = mem.word(at);
      if (w === undefined) continue;
      const anchor = anchors.find((a) => w > a.from && w <= a.to);
      if (!anchor) continue;
      const state: UnwindState = { ip: w, sp: at + 8n, bp: 0n, signal: false };
      const bt = walkStack(state, { pc: w, slot: at, exact: false, reliable: true, how: 'search' }, mem, env);
      if (bt.exceptions.some((e) => e.regs.rip === regs.rip && e.regs.rsp === regs.rsp))
        return { ...bt, start: anchor.kind };
    }
  }
  return undefined;
}

/**
 * An active CPU from its dump registers: the kexec path on the panicking CPU, the handler frames
 * found on its stacks when the registers are an interrupted context, or plainly from the registers.
 */
export function backtraceOfCpu(
  regs: Record<string, bigint>,
  mem: StackMemory,
  env: UnwindEnv,
): Backtrace & { start: 'kexec' | 'nmi' | 'registers' } {
  const kexec = kexecBacktrace(regs, mem, env);
  if (kexec) return { ...kexec, start: 'kexec' };
  const anchored = anchoredBacktrace(regs, mem, env);
  if (anchored) return anchored;
  return { ...backtraceFromRegisters(regs, mem, env), start: 'registers' };
}

/** A task that is not running: from `thread.sp`, the frame `__switch_to_asm` left. */
export function backtraceOfSleepingTask(
  threadSp: bigint,
  mem: StackMemory,
  env: UnwindEnv,
  layout: InactiveFrameLayout = DEFAULT_INACTIVE_FRAME,
  retFromFork?: bigint,
): Backtrace {
  const bp = mem.word(threadSp + BigInt(layout.bp));
  const retSlot = threadSp + BigInt(layout.retAddr);
  const ret = mem.word(retSlot);
  if (bp === undefined || ret === undefined) {
    return {
      frames: [],
      exceptions: [],
      stop: `cannot read the switch frame at 0x${threadSp.toString(16)}`,
      truncated: true,
    };
  }
  const state: UnwindState = { ip: ret, sp: threadSp + BigInt(layout.size), bp, signal: ret === retFromFork };
  const first: Omit<BtFrame, 'stack'> = { pc: ret, slot: retSlot, exact: false, reliable: true, how: 'orc' };
  return walkStack(state, first, mem, env);
}

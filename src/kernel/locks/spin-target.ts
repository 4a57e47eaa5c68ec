/**
 * The word a CPU spins on, read from its code and registers: the busy-wait loop through the stopped
 * RIP is found by following the instructions' control flow back to the RIP (`pause; jmp` → `mov
 * (%rbx),%eax; test; jne` in the virt_spin_lock path of native_queued_spin_lock_slowpath, `pause;
 * mov (%r12),%rax; test $0x1000000,%eax; jne` in bit_spin_lock), and the memory operand of the loop's
 * load is evaluated with that CPU's registers. A register the loop itself overwrites is not trusted;
 * a RIP-relative operand names a global. Public names: SpinTarget, spinTarget, loopThrough,
 * notALockWait.
 */

import type { CodeView, Instruction } from '../../model/memory.js';
import { effectiveAddress, register64, writesRegister } from '../disasm/effective-address.js';

export interface SpinTarget {
  /** Address of the word the loop reads. */
  address: bigint;
  /** Bytes read (1, 2, 4, 8) from the load's register or suffix. */
  width: number;
  /** The instructions of the loop, in address order. */
  loop: Instruction[];
  /** The instruction that reads the word. */
  load: Instruction;
  /** The base register (`r12`), or `rip` for a global. */
  via: string;
  /** Bit mask a `test $imm` of the loop checks. */
  testMask?: bigint;
}

/** Bytes around the RIP: spin loops are short; a wider window would decode neighbouring functions. */
const WINDOW = 48;
const MAX_STEPS = 48;
const READS = /^(mov|test|cmp|bt|movz|movs|and|or|xor|add|sub|lock\s+cmpxchg|cmpxchg)[a-z]{0,3}$/;
const UNCONDITIONAL = /^(jmp|ret|iret|sysret|ud2|int3|hlt)/;

/**
 * Where an idle CPU waits, or where the dump's own machinery stopped one (kexec, the kdump NMI):
 * loops there are not lock waits, and disassembling them only costs time.
 */
const NOT_A_LOCK_WAIT =
  /^(native_safe_halt|default_idle|arch_cpu_idle|mwait_idle|intel_idle|acpi_idle|acpi_safe_halt|amd_e400_idle|poll_idle|cpu_idle_poll|halt|machine_kexec|__crash_kexec|crash_kexec|crash_nmi_callback|nmi_cpu_backtrace|native_stop_other_cpus|stop_this_cpu|panic)$/;

export function notALockWait(fn: string | undefined): boolean {
  return fn !== undefined && NOT_A_LOCK_WAIT.test(fn.replace(/\..*$/, ''));
}

/** The shortest control-flow cycle from `rip` back to itself within the code around it. */
export function loopThrough(code: CodeView, rip: bigint): Instruction[] | undefined {
  const list = code.around(rip, WINDOW, WINDOW);
  const at = new Map(list.map((i) => [i.address, i] as const));
  if (!at.has(rip)) return undefined;
  const parent = new Map<bigint, bigint>();
  const queue: bigint[] = [rip];
  let steps = 0;
  while (queue.length && steps++ < MAX_STEPS * 4) {
    const a = queue.shift()!;
    const ins = at.get(a);
    if (!ins?.length) continue;
    const next: bigint[] = [];
    const m = ins.mnemonic;
    if (/^j/.test(m) && ins.target !== undefined) next.push(ins.target);
    if (!UNCONDITIONAL.test(m) && !/^call/.test(m)) next.push(a + BigInt(ins.length));
    for (const n of next) {
      if (n === rip) {
        const path: Instruction[] = [ins];
        for (let p = parent.get(a); p !== undefined && p !== rip; p = parent.get(p)) path.push(at.get(p)!);
        if (a !== rip) path.push(at.get(rip)!);
        return path.sort((x, y) => (x.address < y.address ? -1 : 1));
      }
      if (!at.has(n) || parent.has(n) || n === rip) continue;
      parent.set(n, a);
      queue.push(n);
    }
  }
  return undefined;
}

function widthOf(ins: Instruction): number {
  const regs = ins.operands.match(/%\w+/g) ?? [];
  const reg = regs.find((r) => !/^%(rip|[re]?sp)$/.test(r) && !ins.operands.includes(`(${r}`));
  const n = reg?.slice(1) ?? '';
  if (/^(r\d+b|[abcd]l|[sd]il)$/.test(n)) return 1;
  if (/^(r\d+w|[abcd]x|[sd]i)$/.test(n)) return 2;
  if (/^(r\d+d|e\w\w)$/.test(n)) return 4;
  if (/^r\w+$/.test(n)) return 8;
  const suffix = /([bwlq])$/.exec(ins.mnemonic)?.[1];
  return suffix === 'b' ? 1 : suffix === 'w' ? 2 : suffix === 'q' ? 8 : 4;
}

/** The spin target of a CPU stopped at `rip` with `regs`, or undefined when the RIP is in no loop. */
export function spinTarget(
  code: CodeView,
  rip: bigint,
  regs: Record<string, bigint>,
): SpinTarget | undefined {
  const loop = loopThrough(code, rip);
  if (!loop) return undefined;
  for (const ins of loop) {
    const op = ins.memory;
    if (!op || !READS.test(ins.mnemonic) || op.segment) continue;
    const base = op.base ? register64(op.base) : undefined;
    if (base === 'rsp' || (base === 'rbp' && op.displacement < 0n)) continue; // locals
    const bases = [base, op.index ? register64(op.index) : undefined].filter((r): r is string => !!r);
    if (bases.some((r) => loop.some((i) => writesRegister(i, r)))) continue;
    const address = effectiveAddress(op, regs, ins);
    if (address === undefined) continue;
    const test = loop.find((i) => /^test/.test(i.mnemonic) && i.immediate !== undefined);
    const target: SpinTarget = {
      address,
      width: widthOf(ins),
      loop,
      load: ins,
      via: op.ripRelative || op.absolute !== undefined ? 'rip' : (base ?? 'absolute'),
    };
    if (test?.immediate !== undefined) target.testMask = test.immediate;
    return target;
  }
  return undefined;
}

/**
 * The rest of a dump's model, from memory, once tasks and stacks are in it (src/kernel/sched,
 * src/kernel/unwind): a CodeView over kernel text, and what only memory can tell about the
 * locks the machine is stuck on — the word each spinning CPU's loop reads (its qspinlock state, or
 * the `struct page` whose flag bit it tests), and the mutex / rw_semaphore / semaphore each blocked
 * task waits for, with owner and wait list. These land in the model the way a crash transcript's
 * `p lock`, `kmem PAGE` and `dis` outputs do (`structs`, `pages`, `code`), so the analyzers run
 * unchanged on both. `loadDump` calls `enrichFromKernel` after unwinding. Public names:
 * enrichFromKernel, EnrichResult.
 */

import { KtriageError } from '../errors.js';
import { MemoryCodeView } from '../kernel/disasm/code-view.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import { decodeQSpinlock, type QnodeLayout, queueHead } from '../kernel/locks/qspinlock.js';
import {
  findWaitedLock,
  type LockTypes,
  readSleepingLock,
  type SleepingLock,
  sleepingLockKind,
} from '../kernel/locks/sleeping.js';
import { notALockWait, type SpinTarget, spinTarget } from '../kernel/locks/spin-target.js';
import { PageReader } from '../kernel/mm/page-read.js';
import { threadSizeOf } from '../kernel/unwind/cpu-stacks.js';
import type { Crash } from '../model/crash.js';
import type { PageInfo, StructDump } from '../model/memory.js';
import type { Stack } from '../model/stack.js';
import type { KernelDump } from './dump-open.js';

export interface EnrichResult {
  spinTargets: { cpu: number; target: SpinTarget }[];
  sleepingLocks: SleepingLock[];
  pages: number;
}

const SPINLOCK_FUNCTIONS = /queued_spin_lock|_raw_spin_lock|do_raw_spin_lock|virt_spin_lock|__ticket_spin/;

function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}

export function enrichFromKernel(crash: Crash, kd: KernelDump, ctx: KernelContext): EnrichResult {
  const result: EnrichResult = { spinTargets: [], sleepingLocks: [], pages: 0 };
  const read = (address: bigint, length: number) => kd.kernel.tryReadVirt(address, length);
  const threadSize = threadSizeOf(ctx.coreSymbolsOnly);
  const symbols = crash.symbols ?? ctx.coreSymbolsOnly;
  const code = new MemoryCodeView(read, symbols);
  crash.code = code;

  let types: KernelContext['types'] | undefined;
  try {
    types = ctx.types;
  } catch (error) {
    if (!(error instanceof KtriageError)) throw error;
  }
  const pages = new PageReader({
    mem: ctx.mem,
    ...(types ? { types } : {}),
    symbols: ctx.coreSymbolsOnly,
    pageSize: kd.kernel.pageSize,
  });
  const addPage = (address: bigint, why: string): PageInfo | undefined => {
    const known = crash.pages.find((p) => p.address === address);
    if (known) return known;
    const page = pages.read(address);
    if (!page) return undefined;
    page.evidence?.push({ source: 'dump', address, note: why });
    crash.pages.push(page);
    result.pages++;
    if (page.head !== undefined) addPage(page.head, `head page of ${hex(address)}`);
    return page;
  };

  // Spinning CPUs: the loop at each interrupted RIP and the word it reads.
  for (const cpu of crash.cpus) {
    const stack = cpu.stack !== undefined ? crash.stacks[cpu.stack] : undefined;
    if (!stack) continue;
    for (const regs of interruptedRegisters(stack)) {
      for (const [name, value] of Object.entries(regs)) {
        if (name !== 'rip' && name !== 'rsp' && pages.isPage(value))
          addPage(value, `CPU ${cpu.id} ${name.toUpperCase()} in its exception frame`);
      }
      const rip = regs.rip;
      if (rip === undefined || notALockWait(symbols.lookup(rip)?.symbol.name)) continue;
      const target = spinTarget(code, rip, regs);
      if (!target) continue;
      result.spinTargets.push({ cpu: cpu.id, target });
      describeSpinTarget(crash, ctx, pages, target, cpu.id, addPage);
      break;
    }
  }

  // Blocked tasks: the sleeping lock each waits for.
  const stackBases = new Set<bigint>();
  for (const t of crash.tasks) if (t.stackBase) stackBases.add(t.stackBase);
  const mask = ~BigInt(threadSize - 1);
  const lt: LockTypes = {
    ...(types ? { types } : {}),
    onTaskStack: (a) => stackBases.has(a & mask),
  };
  const seen = new Set<bigint>();
  for (const task of crash.tasks) {
    if (task.active || task.task === undefined || task.stack === undefined || !task.stackBase) continue;
    const stack = crash.stacks[task.stack];
    const kind = stack ? sleepingLockKind(stack.frames.map((f) => f.fn)) : undefined;
    if (!kind) continue;
    const from = task.savedSp ?? task.stackBase;
    const found = findWaitedLock(ctx.mem, task.task, from, task.stackBase + BigInt(threadSize), lt);
    if (!found) continue;
    const lock = readSleepingLock(ctx.mem, kind, found.head, lt);
    if (!lock || seen.has(lock.address)) continue;
    seen.add(lock.address);
    result.sleepingLocks.push(lock);
    crash.structs.push(sleepingLockDump(crash, lock, task.pid));
  }
  return result;
}

/**
 * Register sets of the contexts a CPU's stack interrupted (innermost first); the CPU's own saved
 * registers only when nothing was interrupted (a dump taken without the kdump NMI), since otherwise
 * they stop in the NMI or kexec path.
 */
function interruptedRegisters(stack: Stack): Record<string, bigint>[] {
  const out: Record<string, bigint>[] = [];
  for (const e of stack.exceptions) {
    if (e.bogus || e.entry === 'syscall') continue;
    const cs = e.regs.values.cs;
    if (cs !== undefined && (cs & 3n) !== 0n) continue;
    out.push(e.regs.values);
  }
  if (stack.exceptions.length === 0 && stack.regs) out.push(stack.regs.values);
  return out;
}

function exactSymbol(crash: Crash, address: bigint): string | undefined {
  const hit = crash.symbols?.lookup(address);
  return hit && hit.offset === 0 ? hit.symbol.name : undefined;
}

function describeSpinTarget(
  crash: Crash,
  ctx: KernelContext,
  pages: PageReader,
  target: SpinTarget,
  cpu: number,
  addPage: (address: bigint, why: string) => PageInfo | undefined,
): void {
  const { address, load } = target;
  const where = `${load.fn ?? '?'}+${load.offset ?? '?'}`;
  const why = `CPU ${cpu} spins at ${where}: \`${load.mnemonic} ${load.operands.replace(/\s*#.*$/, '')}\` reads ${hex(address)} (${target.via === 'rip' ? 'RIP-relative' : `${target.via.toUpperCase()} in its exception frame`})`;
  if (pages.isPage(address)) {
    addPage(address, why);
    return;
  }
  if (crash.structs.some((s) => s.address === address)) return;
  const spinlock = target.loop.some((i) => SPINLOCK_FUNCTIONS.test(i.fn ?? '')) && target.width <= 4;
  const name = exactSymbol(crash, address);
  const dump: StructDump = {
    type: spinlock ? 'qspinlock' : 'unsigned long',
    address,
    fields: {},
    evidence: { source: 'dump', address, cpu, note: why },
  };
  if (name) dump.expression = name;
  if (spinlock) {
    const value = ctx.mem.readU32(address);
    if (value === undefined) return;
    const smallTail = ctx.types.member('qspinlock', 'tail') !== undefined;
    const state = decodeQSpinlock(value, smallTail);
    dump.fields['val.counter'] = String(value);
    dump.fields.locked = String(value & 0xff);
    dump.fields.pending = String(smallTail ? (value >>> 8) & 0xff : (value >>> 8) & 1);
    dump.fields.tail = String(value >>> 16);
    const head = state.tail ? queueHeadOf(ctx, state.tail) : undefined;
    dump.evidence!.text = head
      ? `${state.text}; MCS queue head: CPU ${head.cpu} (${head.length} queued)`
      : state.text;
  } else {
    const value = ctx.mem.readU64(address);
    if (value === undefined) return;
    dump.fields[''] = hex(value);
    dump.evidence!.text = `${name ?? hex(address)} = ${hex(value)}`;
  }
  crash.structs.push(dump);
}

function queueHeadOf(ctx: KernelContext, tail: { cpu: number; index: number }) {
  try {
    const qnodes = ctx.coreSymbolsOnly.core.address('qnodes');
    if (qnodes === undefined) return undefined;
    const percpu = ctx.percpu;
    const layout: QnodeLayout = {
      qnodes: (cpu) => (cpu < percpu.possible ? percpu.address(qnodes, cpu) : undefined),
      nodeSize: ctx.types.sizeof('qnode') ?? 16,
      nextOffset: ctx.types.member('mcs_spinlock', 'next')?.offset ?? 0,
      cpus: percpu.possible,
    };
    return queueHead(ctx.mem, layout, tail);
  } catch (error) {
    if (!(error instanceof KtriageError)) throw error;
    return undefined;
  }
}

function sleepingLockDump(crash: Crash, lock: SleepingLock, pid: number): StructDump {
  const name = exactSymbol(crash, lock.address);
  const waiters = lock.waiters
    .map((w) => crash.tasks.find((t) => t.task === w.task))
    .map((t) => (t ? `${t.pid} ${t.comm ?? ''}`.trim() : '?'));
  const owner = lock.owner ? crash.tasks.find((t) => t.task === lock.owner) : undefined;
  const dump: StructDump = {
    type: lock.type,
    address: lock.address,
    fields: { ...lock.fields },
    evidence: {
      source: 'dump',
      address: lock.address,
      pid,
      note: `struct ${lock.type} found through the waiter on the stack of pid ${pid}`,
      text: `owner ${lock.owner ? `${hex(lock.owner)}${owner ? ` (pid ${owner.pid} ${owner.comm})` : ''}` : 'none'}; waiters: ${waiters.join(', ') || 'none'}`,
    },
  };
  if (name) dump.expression = name;
  return dump;
}

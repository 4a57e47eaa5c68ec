/**
 * The model's tasks and CPUs from a dump's memory: every task (pid, tgid, ppid, comm, state, flags,
 * CPU, stack, saved sp, memory), which one each CPU was running, which CPU panicked. The dump
 * loader calls loadKernelTasks and merges the CPUs with their NT_PRSTATUS registers.
 * Public names: loadKernelTasks, applyKernelTasks, KernelTasks.
 */

import { KtriageError } from '../../errors.js';
import type { Crash } from '../../model/crash.js';
import type { Evidence } from '../../model/evidence.js';
import type { Cpu, Task } from '../../model/task.js';
import type { KernelContext } from '../kernel-context.js';
import { type CpuSched, readCpus } from './cpus.js';
import { mmLayout, type ProcessMemory, processMemory } from './mm.js';
import { type KernelTask, readTasks, threadsOf } from './tasks.js';

export interface KernelTasks {
  /** Sorted as crash's `ps`: by pid, the idle tasks by CPU. */
  tasks: Task[];
  cpus: Cpu[];
  /** The decoded task_structs, same order as `tasks` (for bt, unwinding, lock analysis). */
  kernelTasks: KernelTask[];
  cpuSched: CpuSched[];
  /** CPU that called panic()/crash_kexec(), from `panic_cpu`. */
  panicCpu?: number;
  /** RSS breakdown per mm_struct. */
  memory: Map<bigint, ProcessMemory>;
}

function panicCpuOf(ctx: KernelContext): number | undefined {
  const at = ctx.coreSymbolsOnly.core.address('panic_cpu');
  const v = at === undefined ? undefined : ctx.mem.readU32(at);
  return v === undefined || v === 0xffffffff ? undefined : v;
}

/**
 * The %MEM denominator crash uses: pages below high_memory (all RAM the direct map covers), else
 * _totalram_pages (atomic_long_t since ca79b0c211af "mm: convert totalram_pages and
 * totalhigh_pages variables to atomic", v5.0; totalram_pages before).
 */
function physicalPages(ctx: KernelContext): number | undefined {
  const core = ctx.coreSymbolsOnly.core;
  const high = core.address('high_memory');
  const top = high === undefined ? undefined : ctx.mem.readU64(high);
  const base = ctx.kernel.directMapBase;
  if (top !== undefined && base !== undefined && top > base)
    return Number((top - base) / BigInt(ctx.kernel.pageSize));
  const at = core.address('_totalram_pages') ?? core.address('totalram_pages');
  const pages = at === undefined ? undefined : ctx.mem.readU64(at);
  return pages === undefined ? undefined : Number(pages);
}

export function loadKernelTasks(ctx: KernelContext): KernelTasks {
  const cpuSched = readCpus(ctx);
  const idle = new Map<number, bigint>();
  for (const c of cpuSched) if (c.idle) idle.set(c.cpu, c.idle);
  const kernelTasks = readTasks(ctx, idle);
  const panicCpu = panicCpuOf(ctx);

  const pidAt = new Map<bigint, number>();
  for (const t of kernelTasks) pidAt.set(t.address, t.pid);
  const activeOn = new Map<bigint, number>();
  for (const c of cpuSched) {
    const running = c.current ?? c.rqCurr;
    if (running && c.online) activeOn.set(running, c.cpu);
  }

  const memory = userMemory(ctx, kernelTasks);
  const pageKb = ctx.kernel.pageSize / 1024;
  const ram = physicalPages(ctx);

  const tasks = kernelTasks.map((k): Task => {
    const activeCpu = activeOn.get(k.address);
    const evidence: Evidence = { source: 'dump', address: k.address, pid: k.pid, note: 'task_struct' };
    const t: Task = {
      pid: k.pid,
      tgid: k.tgid,
      ppid: pidAt.get(k.parent) ?? parentPid(ctx, k.parent),
      comm: k.comm,
      state: k.crashState,
      stateBits: k.state,
      stateLetter: k.letter,
      exitState: k.exitState,
      cpu: k.idleOf ?? k.cpu,
      task: k.address,
      threadFlags: k.threadFlags,
      flags: BigInt(k.flags),
      active: activeCpu !== undefined,
      onCpu: k.onCpu,
      stackBase: k.stack,
      kernelThread: k.kernelThread,
      evidence: [evidence],
    };
    if (k.threadInfo !== k.address) t.threadInfo = k.threadInfo;
    const clock = cpuSched[t.cpu ?? 0]?.clock;
    if (clock !== undefined && k.lastArrival !== undefined && clock >= k.lastArrival) {
      t.lastRunNs = Number(clock - k.lastArrival);
    }
    if (activeCpu === undefined) t.savedSp = k.savedSp;
    if (panicCpu !== undefined && activeCpu === panicCpu) t.panicking = true;
    const m = k.mm ? memory.get(k.mm) : undefined;
    t.rssKb = m ? m.rssPages * pageKb : 0;
    t.vszKb = m ? m.totalVmPages * pageKb : 0;
    t.memPercent = m && ram ? (m.rssPages * 100) / ram : 0;
    return t;
  });

  const order = tasks.map((_, i) => i);
  order.sort((a, b) => {
    const ta = tasks[a]!;
    const tb = tasks[b]!;
    return ta.pid !== tb.pid ? ta.pid - tb.pid : ta.pid === 0 ? (ta.cpu ?? 0) - (tb.cpu ?? 0) : a - b;
  });

  const byAddress = new Map(kernelTasks.map((k) => [k.address, k]));
  const cpus = cpuSched.map((c): Cpu => {
    const running = c.current ?? c.rqCurr;
    const k = running ? byAddress.get(running) : undefined;
    const cpu: Cpu = {
      id: c.cpu,
      evidence: [{ source: 'dump', cpu: c.cpu, note: 'per-cpu current_task / rq->curr' }],
    };
    if (running) cpu.task = running;
    if (k) {
      cpu.pid = k.pid;
      cpu.comm = k.comm;
      cpu.idle = k.idleOf !== undefined;
    }
    if (!c.online) cpu.offline = true;
    if (c.current && c.rqCurr && c.current !== c.rqCurr) {
      cpu.evidence!.push({
        source: 'dump',
        cpu: c.cpu,
        note: `current_task 0x${c.current.toString(16)} differs from rq->curr 0x${c.rqCurr.toString(16)} (mid context switch)`,
      });
    }
    return cpu;
  });

  return {
    tasks: order.map((i) => tasks[i]!),
    kernelTasks: order.map((i) => kernelTasks[i]!),
    cpus,
    cpuSched,
    panicCpu,
    memory,
  };
}

function parentPid(ctx: KernelContext, parent: bigint): number | undefined {
  if (!parent) return undefined;
  const pid = ctx.types.member('task_struct', 'pid');
  return pid ? ctx.mem.readU32(parent + BigInt(pid.offset)) : undefined;
}

/** RSS/VSZ per mm_struct (threads share one), summed the way crash's ps does. */
function userMemory(ctx: KernelContext, tasks: KernelTask[]) {
  const out = new Map<bigint, ProcessMemory>();
  let layout: ReturnType<typeof mmLayout> | undefined;
  let percpu: KernelContext['percpu'] | undefined;
  for (const t of tasks) {
    if (!t.mm || t.kernelThread || out.has(t.mm)) continue;
    layout ??= mmLayout(ctx.types);
    percpu ??= ctx.percpu;
    const threads = layout.taskCounts !== undefined ? threadsOf(ctx, t.groupLeader || t.address) : [];
    out.set(t.mm, processMemory(ctx.mem, layout, percpu, t.mm, threads));
  }
  return out;
}

/**
 * Fills a dump's Crash with what memory tells: symbols, every task, and each CPU's running task
 * (merged into the CPUs the dump loader made from NT_PRSTATUS, whose registers are kept).
 * Problems become gaps; a kernel whose symbols or types cannot be read leaves tasks empty.
 */
export function applyKernelTasks(crash: Crash, ctx: KernelContext): KernelTasks | undefined {
  let result: KernelTasks;
  try {
    crash.symbols = ctx.symbols;
    result = loadKernelTasks(ctx);
  } catch (error) {
    if (!(error instanceof KtriageError) || error.kind === 'internal') throw error;
    crash.gaps.push({ what: 'tasks', why: error.message });
    return undefined;
  }
  crash.tasks = result.tasks;
  for (const c of result.cpus) {
    const known = crash.cpus.find((x) => x.id === c.id);
    if (!known) {
      crash.cpus.push(c);
      continue;
    }
    known.task = c.task;
    known.pid = c.pid ?? known.pid;
    known.comm = c.comm ?? known.comm;
    known.idle = c.idle ?? known.idle;
    if (c.offline) known.offline = true;
    known.evidence = [...(known.evidence ?? []), ...(c.evidence ?? [])];
  }
  crash.cpus.sort((a, b) => a.id - b.id);
  if (result.panicCpu !== undefined) crash.system.panicCpu ??= result.panicCpu;
  for (const p of ctx.problems) crash.gaps.push({ what: 'kernel memory', why: p });
  return result;
}

/**
 * The unwinder for one kernel in a dump: its ORC tables (vmlinux + modules), the stacks of every
 * CPU and task, and the two entry points `unwindCpu` (an active CPU from its NT_PRSTATUS
 * registers) and `unwindTask` (a task that is not running, from `thread.sp`). Built from what the
 * symbol and type layers know; works without BTF on a v6.1-like layout. Public names:
 * UnwinderSources, KernelUnwinder, CpuBacktrace.
 */

import { KtriageError } from '../../errors.js';
import type { SymbolView } from '../../model/memory.js';
import { backtraceOfCpu, backtraceOfSleepingTask } from './backtrace.js';
import { cpuStackRegions, currentTaskOf, taskStackRegion, threadSizeOf } from './cpu-stacks.js';
import { orcVersionForRelease } from './orc-format.js';
import {
  type KernelLayout,
  loadKernelOrc,
  loadModuleOrc,
  type ModuleText,
  type NamedAddresses,
} from './orc-load.js';
import { type OrcTable, OrcTables } from './orc-table.js';
import { DEFAULT_INACTIVE_FRAME, type InactiveFrameLayout } from './pt-regs.js';
import { StackMemory, type StackRegion } from './stack-memory.js';
import type { ReadVirt } from './table-bytes.js';
import type { Backtrace, UnwindEnv } from './walk.js';

export interface UnwinderSources {
  read: ReadVirt;
  symbols: SymbolView & NamedAddresses;
  /** BTF answers; without them v6.1 defaults are used (inactive_task_frame, IST layout). */
  layout?: KernelLayout;
  /** OSRELEASE, for the ORC layout and SP_INDIRECT semantics. */
  release?: string;
  modules?: ModuleText[];
}

export type CpuBacktrace = Backtrace & { start: 'kexec' | 'nmi' | 'registers'; task?: bigint };

/** SP_INDIRECT changed meaning in v5.12 (see orc-step.ts). */
function spIndirectAddsAfter(release: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release ?? '');
  if (!m) return true;
  return Number(m[1]) * 1000 + Number(m[2]) >= 5012;
}

/**
 * vmlinux's ORC table, or none for a kernel built with CONFIG_UNWINDER_FRAME_POINTER (no
 * `__start_orc_unwind_ip`): its text ranges then come from `_stext`/`_etext`.
 */
function loadKernelOrcOrNone(src: UnwinderSources): {
  table?: OrcTable;
  ranges: { start: bigint; end: bigint }[];
  versionWhy: string;
} {
  try {
    return loadKernelOrc(src.read, src.symbols, src.release);
  } catch (error) {
    if (!(error instanceof KtriageError) || error.kind !== 'missingData') throw error;
    const ranges: { start: bigint; end: bigint }[] = [];
    for (const [a, b] of [
      ['_stext', '_etext'],
      ['_sinittext', '_einittext'],
    ] as const) {
      const start = src.symbols.address(a);
      const end = src.symbols.address(b);
      if (start !== undefined && end !== undefined) ranges.push({ start, end });
    }
    if (ranges.length === 0) throw error;
    return { ranges, versionWhy: error.message };
  }
}

export class KernelUnwinder {
  readonly env: UnwindEnv;
  readonly threadSize: number;
  /** Facts worth a line in a report's gaps (module without ORC, missing symbols…). */
  readonly notes: string[] = [];
  readonly orcVersionWhy: string;
  readonly read: ReadVirt;
  private readonly symbols: SymbolView & NamedAddresses;
  private readonly layout: KernelLayout | undefined;
  private readonly cpuRegions = new Map<number, StackRegion[]>();
  private readonly inactive: InactiveFrameLayout;
  private readonly retFromFork: bigint | undefined;
  private readonly threadSpOffset: number | undefined;

  constructor(src: UnwinderSources) {
    this.read = src.read;
    this.symbols = src.symbols;
    this.layout = src.layout;
    this.threadSize = threadSizeOf(src.symbols);
    const tables = new OrcTables();
    const kernel = loadKernelOrcOrNone(src);
    if (kernel.table) for (const r of kernel.ranges) tables.add(kernel.table, r.start, r.end);
    this.orcVersionWhy = kernel.versionWhy;
    if (!kernel.table) this.notes.push(`no ORC tables (${kernel.versionWhy}): unwound with frame pointers`);
    const text: { start: bigint; end: bigint }[] = [...kernel.ranges];
    for (const mod of src.modules ?? []) {
      for (const r of mod.regions) text.push({ start: r.base, end: r.base + BigInt(r.size) });
      const orc =
        src.layout && kernel.table
          ? loadModuleOrc(src.read, src.layout, mod, kernel.table.version)
          : undefined;
      if (!orc && kernel.table) {
        this.notes.push(`module ${mod.name}: no ORC table read; its frames are found by stack scan`);
        continue;
      }
      if (orc) for (const r of orc.ranges) tables.add(orc.table, r.start, r.end);
    }
    const release = src.release;
    if (release && kernel.table && orcVersionForRelease(release) !== kernel.table.version) {
      this.notes.push(`ORC layout v${kernel.table.version} for ${release}: ${kernel.versionWhy}`);
    }
    this.env = {
      tables,
      symbols: src.symbols,
      isText: (a) => text.some((r) => a >= r.start && a < r.end),
      readText: src.read,
      step: { spIndirectAddsAfter: spIndirectAddsAfter(release) },
      ...(kernel.table ? {} : { framePointerKernel: true }),
    };
    const L = src.layout;
    const bp = L?.offsetOf('inactive_task_frame', 'bp');
    const ret = L?.offsetOf('inactive_task_frame', 'ret_addr');
    const size = L?.sizeOf('inactive_task_frame');
    this.inactive =
      bp !== undefined && ret !== undefined && size !== undefined
        ? { bp, retAddr: ret, size }
        : DEFAULT_INACTIVE_FRAME;
    this.retFromFork = src.symbols.address('ret_from_fork_asm') ?? src.symbols.address('ret_from_fork');
    this.threadSpOffset = L?.offsetOf('task_struct', 'thread.sp');
  }

  /** IRQ and exception stacks of a CPU. */
  regionsForCpu(cpu: number): StackRegion[] {
    let r = this.cpuRegions.get(cpu);
    if (!r) {
      r = cpuStackRegions(this.read, this.symbols, this.layout, cpu, this.threadSize);
      this.cpuRegions.set(cpu, r);
    }
    return r;
  }

  /** The thread stack of a task, from `task->stack` or a base the caller knows. */
  taskRegion(task: bigint | undefined, stackBase?: bigint): StackRegion | undefined {
    if (stackBase) return { kind: 'task', start: stackBase, end: stackBase + BigInt(this.threadSize) };
    return task ? taskStackRegion(this.read, this.layout, task, this.threadSize) : undefined;
  }

  /** The task running on a CPU according to its per-cpu data. */
  currentTask(cpu: number): bigint | undefined {
    return currentTaskOf(this.read, this.symbols, this.layout, cpu);
  }

  /** An active CPU from its saved registers; `task` defaults to the CPU's current task. */
  unwindCpu(cpu: number, regs: Record<string, bigint>, task?: bigint, stackBase?: bigint): CpuBacktrace {
    const t = task ?? this.currentTask(cpu);
    const regions = [...this.regionsForCpu(cpu)];
    const own = this.taskRegion(t, stackBase);
    if (own) regions.push(own);
    const mem = new StackMemory(this.read, regions, regions.length === 0);
    return { ...backtraceOfCpu(regs, mem, this.env), ...(t !== undefined ? { task: t } : {}) };
  }

  /**
   * Reads confined to the stacks a backtrace may cross: the task's thread stack, plus the IRQ and
   * exception stacks of `cpu` when the task is running there (crash `bt -t` scans them).
   */
  stackMemory(where: { cpu?: number; task?: bigint; stackBase?: bigint }): StackMemory {
    const regions = where.cpu !== undefined ? [...this.regionsForCpu(where.cpu)] : [];
    const own = this.taskRegion(where.task, where.stackBase);
    if (own) regions.push(own);
    return new StackMemory(this.read, regions);
  }

  /** `thread.sp` of a task (BTF offset), or undefined. */
  threadSp(task: bigint): bigint | undefined {
    if (this.threadSpOffset === undefined) return undefined;
    const b = this.read(task + BigInt(this.threadSpOffset), 8);
    return b ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) : undefined;
  }

  /** A task that is not running on any CPU (sleeping, blocked, runnable). */
  unwindTask(task: bigint, opts: { threadSp?: bigint; stackBase?: bigint } = {}): Backtrace {
    const sp = opts.threadSp ?? this.threadSp(task);
    const region = this.taskRegion(task, opts.stackBase);
    if (sp === undefined || !region) {
      return { frames: [], exceptions: [], stop: 'no thread.sp or stack for this task', truncated: true };
    }
    const mem = new StackMemory(this.read, [region]);
    return backtraceOfSleepingTask(sp, mem, this.env, this.inactive, this.retFromFork);
  }
}

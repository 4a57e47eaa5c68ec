/**
 * Fills the model's stacks from a dump: one `unwind` Stack per active CPU (from its NT_PRSTATUS
 * registers, through NMI/IRQ/exception stacks) and one per task that is not running (from
 * `thread.sp`), linked from `Cpu.stack` and `Task.stack`. The dump loader calls `fillStacks` after
 * the task list is in the model. Public names: fillStacks, FillStacksOptions, FillStacksResult.
 */

import type { Crash } from '../../model/crash.js';
import type { Task } from '../../model/task.js';
import type { KernelUnwinder } from './kernel-unwinder.js';
import { toModelStack, walkEnd } from './to-model.js';

export interface FillStacksOptions {
  /** Keep each frame's raw words (crash `bt -f`); costs memory, off by default. */
  words?: boolean;
  /** Only these pids (plus every active CPU). */
  pids?: Set<number>;
}

export interface FillStacksResult {
  cpus: number;
  tasks: number;
  frames: number;
  /** Stacks that ended on an error rather than a recognised end. */
  truncated: number;
}

function wordReader(unwinder: KernelUnwinder): (address: bigint) => bigint | undefined {
  return (address) => {
    const b = unwinder.read(address, 8);
    return b ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) : undefined;
  };
}

export function fillStacks(
  crash: Crash,
  unwinder: KernelUnwinder,
  options: FillStacksOptions = {},
): FillStacksResult {
  const result: FillStacksResult = { cpus: 0, tasks: 0, frames: 0, truncated: 0 };
  const symbols = unwinder.env.symbols;
  const byAddress = new Map<bigint, Task>();
  for (const t of crash.tasks) if (t.task !== undefined) byAddress.set(t.task, t);
  const onCpu = new Set<bigint>();
  const words = options.words ? wordReader(unwinder) : undefined;

  for (const cpu of crash.cpus) {
    const regs = cpu.regs?.values;
    if (!regs || cpu.offline) continue;
    const taskAddr = cpu.task ?? unwinder.currentTask(cpu.id);
    const task = taskAddr !== undefined ? byAddress.get(taskAddr) : undefined;
    const bt = unwinder.unwindCpu(cpu.id, regs, taskAddr, task?.stackBase);
    const stack = toModelStack(
      bt,
      symbols,
      { cpu: cpu.id, pid: task?.pid ?? cpu.pid, comm: task?.comm ?? cpu.comm, task: taskAddr },
      { regs, ...(words ? { words } : {}) },
    );
    stack.evidence = {
      source: 'dump',
      cpu: cpu.id,
      note: `unwound from NT_PRSTATUS (${bt.start}) ${walkEnd(bt.stop)}`,
    };
    crash.stacks.push(stack);
    cpu.stack = crash.stacks.length - 1;
    if (taskAddr !== undefined) onCpu.add(taskAddr);
    if (task) task.stack = cpu.stack;
    result.cpus++;
    result.frames += stack.frames.length;
    if (bt.truncated) result.truncated++;
  }

  for (const task of crash.tasks) {
    if (task.task === undefined || onCpu.has(task.task) || task.stack !== undefined) continue;
    if (options.pids && !options.pids.has(task.pid)) continue;
    const bt = unwinder.unwindTask(task.task, { threadSp: task.savedSp, stackBase: task.stackBase });
    const stack = toModelStack(
      bt,
      symbols,
      {
        pid: task.pid,
        comm: task.comm,
        task: task.task,
        ...(task.cpu !== undefined ? { cpu: task.cpu } : {}),
      },
      words ? { words } : {},
    );
    crash.stacks.push(stack);
    task.stack = crash.stacks.length - 1;
    result.tasks++;
    result.frames += stack.frames.length;
    if (bt.truncated) result.truncated++;
  }
  return result;
}

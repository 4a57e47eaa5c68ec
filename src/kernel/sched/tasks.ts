/**
 * Every task of a crashed kernel: the thread-group leaders on `init_task.tasks`, each group's
 * threads, and the per-CPU idle tasks (`rq->idle`, which are on no list). One read of the struct's
 * head per task, fields decoded from it. Public names: KernelTask, readTasks.
 */

import type { KernelContext } from '../kernel-context.js';
import { type Field, type TaskLayout, taskLayout } from './layout.js';
import { PF_KTHREAD } from './states.js';

const LATIN1 = new TextDecoder('latin1');

export interface KernelTask {
  /** task_struct address. */
  address: bigint;
  pid: number;
  tgid: number;
  comm: string;
  /** Raw `__state`/`state` and `exit_state`. */
  state: number;
  exitState: number;
  /** task_state_to_char() letter (R S D T t X Z P I). */
  letter: string;
  /** crash's ps state (RU IN UN ID …). */
  crashState: string;
  flags: number;
  kernelThread: boolean;
  cpu: number;
  onCpu: boolean;
  /** Kernel stack base (task->stack). */
  stack: bigint;
  /** thread_info address: the task itself when embedded. */
  threadInfo: bigint;
  threadFlags: bigint;
  /** thread.sp: where a sleeping task's kernel stack pointer was saved. */
  savedSp: bigint;
  parent: bigint;
  groupLeader: bigint;
  mm: bigint;
  /** sched_info.last_arrival (ns), when the kernel keeps it. */
  lastArrival?: bigint;
  /** A per-CPU idle task (swapper/N), found through rq->idle. */
  idleOf?: number;
}

/** Bounds against a corrupt list: far more tasks than PID_MAX_LIMIT allows. */
const MAX_TASKS = 4 * 1024 * 1024;
const MAX_THREADS = 1024 * 1024;

function uint(view: DataView, f: Field): number {
  switch (f.size) {
    case 1:
      return view.getUint8(f.offset);
    case 2:
      return view.getUint16(f.offset, true);
    case 4:
      return view.getUint32(f.offset, true);
    case 8:
      return Number(view.getBigUint64(f.offset, true) & 0xffffffffn);
    default:
      return 0;
  }
}

/** Bytes of a task_struct that hold every field we decode. */
function span(l: TaskLayout): number {
  const ends = [
    l.tasks + 16,
    l.pid + 4,
    l.tgid + 4,
    l.comm.offset + l.comm.size,
    l.state.offset + l.state.size,
    l.exitState.offset + l.exitState.size,
    l.flags.offset + l.flags.size,
    l.stack + 8,
    l.onCpu.offset + l.onCpu.size,
    l.threadInfoInTask ? l.threadInfoFlags.offset + 8 : 0,
    l.cpu.inThreadInfo ? 0 : l.cpu.offset + l.cpu.size,
    l.parent + 8,
    l.realParent + 8,
    l.groupLeader + 8,
    l.signal + 8,
    (l.threadNode ?? 0) + 16,
    (l.threadGroup ?? 0) + 16,
    l.mm + 8,
    l.threadSp + 8,
    l.lastArrival.offset + l.lastArrival.size,
  ];
  return Math.min(l.size, Math.max(...ends));
}

/** Decodes one task_struct; undefined when its memory is not in the dump. */
export function readTask(ctx: KernelContext, address: bigint): KernelTask | undefined {
  const l = taskLayout(ctx.types);
  const bytes = ctx.mem.read(address, span(l));
  if (!bytes) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ptr = (off: number) => v.getBigUint64(off, true);
  const states = ctx.taskStates;
  const state = uint(v, l.state);
  const exitState = uint(v, l.exitState);
  const flags = uint(v, l.flags);
  const stack = ptr(l.stack);
  const threadInfo = l.threadInfoInTask ? address : stack;
  let threadFlags = 0n;
  let cpu = 0;
  if (l.threadInfoInTask) {
    threadFlags = ptr(l.threadInfoFlags.offset);
  } else if (l.threadInfoFlags.size) {
    threadFlags = ctx.mem.readU64(stack + BigInt(l.threadInfoFlags.offset)) ?? 0n;
  }
  if (l.cpu.inThreadInfo) cpu = ctx.mem.readU32(stack + BigInt(l.cpu.offset)) ?? 0;
  else if (l.cpu.size) cpu = uint(v, l.cpu);
  const commBytes = bytes.subarray(l.comm.offset, l.comm.offset + l.comm.size);
  const nul = commBytes.indexOf(0);
  return {
    address,
    pid: v.getInt32(l.pid, true),
    tgid: v.getInt32(l.tgid, true),
    comm: LATIN1.decode(commBytes.subarray(0, nul < 0 ? commBytes.length : nul)),
    state,
    exitState,
    letter: states.letter(state, exitState),
    crashState: states.crash(state, exitState),
    flags,
    kernelThread: (flags & PF_KTHREAD) !== 0,
    cpu,
    onCpu: l.onCpu.size ? uint(v, l.onCpu) !== 0 : false,
    stack,
    threadInfo,
    threadFlags,
    savedSp: ptr(l.threadSp),
    parent: ptr(l.parent),
    groupLeader: ptr(l.groupLeader),
    mm: ptr(l.mm),
    lastArrival: l.lastArrival.size === 8 ? ptr(l.lastArrival.offset) : undefined,
  };
}

/** Addresses of a group's threads, leader included, in list order. */
export function threadsOf(ctx: KernelContext, leader: bigint): bigint[] {
  const l = taskLayout(ctx.types);
  const typed = ctx.typed;
  if (l.threadHead !== undefined && l.threadNode !== undefined) {
    const signal = ctx.mem.readU64(leader + BigInt(l.signal));
    if (!signal) return [leader];
    const threads = typed.listEntries(signal + BigInt(l.threadHead), l.threadNode, MAX_THREADS);
    return threads.includes(leader) ? threads : [leader, ...threads];
  }
  if (l.threadGroup !== undefined) {
    return [leader, ...typed.listEntries(leader + BigInt(l.threadGroup), l.threadGroup, MAX_THREADS)];
  }
  return [leader];
}

/**
 * All tasks: init_task, every task on its `tasks` list with its threads, and the idle tasks of the
 * other CPUs (given by the caller, from rq->idle). Unreadable task_structs are reported in
 * ctx.problems and skipped.
 */
export function readTasks(ctx: KernelContext, idleTasks: Map<number, bigint>): KernelTask[] {
  const l = taskLayout(ctx.types);
  const init = ctx.coreSymbolsOnly.core.address('init_task');
  if (init === undefined) throw new Error('kernel symbols: no init_task');
  const leaders = [init, ...ctx.typed.listEntries(init + BigInt(l.tasks), l.tasks, MAX_TASKS)];
  const seen = new Set<bigint>();
  const out: KernelTask[] = [];
  const add = (address: bigint, idleOf?: number) => {
    if (seen.has(address)) return;
    seen.add(address);
    const t = readTask(ctx, address);
    if (!t) {
      ctx.problems.push(`task_struct at 0x${address.toString(16)} is not in the dump`);
      return;
    }
    if (idleOf !== undefined) t.idleOf = idleOf;
    out.push(t);
  };
  for (const [cpu, idle] of idleTasks) if (idle === init) add(init, cpu);
  for (const leader of leaders) {
    for (const t of leader === init ? [init] : threadsOf(ctx, leader)) add(t);
  }
  for (const [cpu, idle] of idleTasks) add(idle, cpu);
  return out;
}

/**
 * Where the scheduler's fields are, detected from BTF once per kernel (drgn's habit: ask the types,
 * not the version string), with the commit that changed each layout. Hot loops read these offsets
 * directly. Public names: TaskLayout, taskLayout, Field.
 */

import { KtriageError } from '../../errors.js';
import type { Types } from '../btf/layout.js';

/** A field's byte offset and size (size 0 = absent). */
export interface Field {
  offset: number;
  size: number;
}

const ABSENT: Field = { offset: 0, size: 0 };

export interface TaskLayout {
  size: number;
  tasks: number;
  pid: number;
  tgid: number;
  comm: Field;
  /** `__state` (unsigned int) since 2f064a59a11f ("sched: Change task_struct::state", v5.14); `state` (long) before. */
  state: Field;
  exitState: Field;
  flags: Field;
  /** task->stack: the kernel stack's lowest address. */
  stack: number;
  onCpu: Field;
  /**
   * thread_info embedded at the start of task_struct (CONFIG_THREAD_INFO_IN_TASK, x86 since
   * c65eacbe290b "sched/core: Allow putting thread_info into task_struct" and 15f4eae70d36
   * "x86: Move thread_info into task_struct", v4.9); else it sits at task->stack.
   */
  threadInfoInTask: boolean;
  threadInfoFlags: Field;
  /**
   * task_cpu(): `thread_info.cpu` since bcf9033e5449 ("sched: move CPU field back into thread_info
   * if THREAD_INFO_IN_TASK=y", v5.16), `task_struct.cpu` v4.9 – v5.15, thread_info.cpu before.
   */
  cpu: { inThreadInfo: boolean; offset: number; size: number };
  /** `parent` (what crash's PPID shows) and `real_parent`. */
  parent: number;
  realParent: number;
  groupLeader: number;
  signal: number;
  /**
   * Thread list: `signal->thread_head` + `task->thread_node` since 0c740d0afc3b ("introduce
   * for_each_thread() to replace the buggy while_each_thread()", v3.14); `thread_group` (removed by
   * 8e1f385104ac "kill task_struct->thread_group", v6.7) before.
   */
  threadHead: number | undefined;
  threadNode: number | undefined;
  threadGroup: number | undefined;
  mm: number;
  /** x86_64 `thread.sp`: the saved stack pointer of a task that is not running. */
  threadSp: number;
  lastArrival: Field;
}

function field(t: Types, struct: string, path: string): Field {
  const m = t.member(struct, path);
  if (!m) return ABSENT;
  return { offset: m.offset, size: t.sizeof(m.type) ?? 0 };
}

function need(t: Types, struct: string, path: string): number {
  const m = t.member(struct, path);
  if (!m)
    throw new KtriageError(
      'unsupported',
      `kernel types: struct ${struct} has no ${path}: unknown task layout`,
    );
  return m.offset;
}

const cache = new WeakMap<Types, TaskLayout>();

export function taskLayout(t: Types): TaskLayout {
  const hit = cache.get(t);
  if (hit) return hit;
  const size = t.sizeof('task_struct');
  if (size === undefined) throw new KtriageError('missingData', 'kernel types: no struct task_struct');
  const state = t.has('task_struct', '__state')
    ? field(t, 'task_struct', '__state')
    : field(t, 'task_struct', 'state');
  const threadInfoInTask = t.has('task_struct', 'thread_info');
  const ti = (path: string) =>
    threadInfoInTask ? field(t, 'task_struct', `thread_info.${path}`) : field(t, 'thread_info', path);
  const tiCpu = ti('cpu');
  const cpu = tiCpu.size
    ? { inThreadInfo: !threadInfoInTask, offset: tiCpu.offset, size: tiCpu.size }
    : { inThreadInfo: false, ...field(t, 'task_struct', 'cpu') };
  const layout: TaskLayout = {
    size,
    tasks: need(t, 'task_struct', 'tasks'),
    pid: need(t, 'task_struct', 'pid'),
    tgid: need(t, 'task_struct', 'tgid'),
    comm: field(t, 'task_struct', 'comm'),
    state,
    exitState: field(t, 'task_struct', 'exit_state'),
    flags: field(t, 'task_struct', 'flags'),
    stack: need(t, 'task_struct', 'stack'),
    onCpu: field(t, 'task_struct', 'on_cpu'),
    threadInfoInTask,
    threadInfoFlags: ti('flags'),
    cpu,
    parent: need(t, 'task_struct', 'parent'),
    realParent: need(t, 'task_struct', 'real_parent'),
    groupLeader: need(t, 'task_struct', 'group_leader'),
    signal: need(t, 'task_struct', 'signal'),
    threadHead: t.member('signal_struct', 'thread_head')?.offset,
    threadNode: t.member('task_struct', 'thread_node')?.offset,
    threadGroup: t.member('task_struct', 'thread_group')?.offset,
    mm: need(t, 'task_struct', 'mm'),
    threadSp: need(t, 'task_struct', 'thread.sp'),
    lastArrival: field(t, 'task_struct', 'sched_info.last_arrival'),
  };
  if (!state.size)
    throw new KtriageError('unsupported', 'kernel types: task_struct has neither __state nor state');
  cache.set(t, layout);
  return layout;
}

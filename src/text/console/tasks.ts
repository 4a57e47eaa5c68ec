/**
 * Task dumps (`sched_show_task`): `task:comm state:D stack:0 pid:124 ppid:2 flags:…` followed by a
 * Call Trace. Hung-task reports, sysrq-w/sysrq-t, RCU task stalls and "Showing all locks held"
 * print them; each becomes a task with its state and stack, wherever in the log it is.
 */

import type { Stack, Task } from '../../model/index.js';
import { parseTaskLine } from './facts.js';
import { clip } from './headers.js';
import type { LogIndex } from './log-index.js';
import { readStack, type TextLine } from './stack.js';

/** Kernel state letters → the names crash's `ps` prints. */
export const TASK_STATES: Record<string, string> = {
  R: 'RU',
  S: 'IN',
  D: 'UN',
  T: 'ST',
  t: 'TR',
  Z: 'ZO',
  X: 'DE',
  I: 'ID',
  P: 'PA',
  W: 'WA',
  N: 'NE',
};

/** Lines between `task:` and its Call Trace, and of the trace itself, looked at. */
const MAX_DUMP_LINES = 200;
const MAX_DUMP_SCAN = 2000;

export interface TaskDump {
  task: Task;
  stack: Stack;
}

export function readTaskDump(index: LogIndex, start: number): TaskDump | undefined {
  const { records, ctx } = index;
  const head = records[start]!;
  const parsed = parseTaskLine(clip(head.text));
  if (!parsed) return undefined;
  const context = ctx[start]!;
  const lines: TextLine[] = [];
  const end = Math.min(records.length, start + 1 + MAX_DUMP_SCAN);
  for (let i = start + 1; i < end && lines.length < MAX_DUMP_LINES; i++) {
    if (ctx[i] !== context) continue;
    const r = records[i]!;
    if (r.text.startsWith('task:')) break;
    const text = clip(r.text);
    lines.push(r.line === undefined ? { text } : { text, line: r.line });
  }
  const trace = lines.findIndex((l, k) => k < 4 && /^\s*Call [Tt]race:/.test(l.text));
  if (trace < 0) return undefined;
  const { stack } = readStack(lines, trace + 1, 'sysrq');
  if (stack.frames.length === 0) return undefined;
  stack.pid = parsed.pid;
  stack.comm = parsed.comm;
  const task: Task = {
    pid: parsed.pid,
    comm: parsed.comm,
    state: TASK_STATES[parsed.state[0] ?? ''] ?? parsed.state,
  };
  if (head.line !== undefined) task.evidence = [{ source: 'log', line: head.line, text: head.text.trim() }];
  return { task, stack };
}

/**
 * Records → reports, stacks, CPUs, tasks and system facts (the reusable second layer): what
 * `parseConsoleLog` fills the model with, and what a dump reader gets for its printk records.
 */

import type { Cpu, Crash, LogRecord, Report, Stack, SystemFacts, Task } from '../../model/index.js';
import { LogIndex } from './log-index.js';
import { readCpuBacktrace } from './nmi.js';
import { oomReports } from './oom.js';
import { findReports } from './reports.js';
import { SystemScanner } from './system.js';
import { readTaskDump } from './tasks.js';

export interface ExtractedLog {
  reports: Report[];
  stacks: Stack[];
  cpus: Cpu[];
  tasks: Task[];
  system: SystemFacts;
  gaps: Crash['gaps'];
}

/** All-CPU backtraces kept (a 4096-CPU machine prints one per CPU, more than once). */
const MAX_CPU_BACKTRACES = 8192;
/** Task dumps kept (sysrq-t on a big machine prints tens of thousands). */
const MAX_TASK_DUMPS = 20_000;

/** Where a stack was printed, to recognise the same stack reached twice (report and NMI block). */
function stackKey(stack: Stack): string | undefined {
  const line = stack.frames.find((f) => f.evidence?.line !== undefined)?.evidence?.line;
  return line === undefined ? undefined : String(line);
}

/**
 * `known`: system facts already gathered (a streaming reader scans every line before dropping
 * most); otherwise they are read from `records` in the same pass that indexes them.
 */
export function extractReports(records: LogRecord[], known?: SystemFacts): ExtractedLog {
  const scanner = known ? undefined : new SystemScanner();
  const index = new LogIndex(records, scanner);
  const system = known ?? scanner!.result();
  const lostConsole = index.lostConsole;
  const found = findReports(index);
  const reports = mergeInOrder(found.reports, oomReports(index));
  const stacks: Stack[] = [];
  const seen = new Map<string, number>();
  const addStack = (stack: Stack): number => {
    const key = stackKey(stack);
    const known = key === undefined ? undefined : seen.get(key);
    if (known !== undefined) return known;
    stacks.push(stack);
    if (key !== undefined) seen.set(key, stacks.length - 1);
    return stacks.length - 1;
  };

  const cpus = new Map<number, Cpu>();
  let backtraces = 0;
  for (const i of index.nmiBacktraces) {
    if (backtraces >= MAX_CPU_BACKTRACES) break;
    const bt = readCpuBacktrace(index, i);
    if (!bt) continue;
    backtraces++;
    const stackIndex = addStack(bt.stack);
    // The last backtrace of a CPU is the state closest to the crash.
    const cpu: Cpu = { id: bt.cpu, stack: stackIndex };
    if (bt.pid !== undefined) cpu.pid = bt.pid;
    if (bt.comm !== undefined) cpu.comm = bt.comm;
    if (bt.idle) cpu.idle = true;
    if (bt.stack.regs) cpu.regs = bt.stack.regs;
    if (bt.stack.evidence) cpu.evidence = [bt.stack.evidence];
    cpus.set(bt.cpu, cpu);
  }

  const tasks = new Map<number, Task>();
  const task = (pid: number): Task => {
    let t = tasks.get(pid);
    if (!t) {
      t = { pid };
      tasks.set(pid, t);
    }
    return t;
  };
  const firstPanic = reports.findIndex((r) => r.header.includes('Kernel panic - not syncing'));
  reports.forEach((report, r) => {
    if (firstPanic > r && !report.informational) report.panicText = reports[firstPanic]!.header.trim();
    if (report.stack) {
      const index = addStack(report.stack);
      if (report.cpu !== undefined && !cpus.has(report.cpu) && report.stack.cpu === report.cpu) {
        const cpu: Cpu = { id: report.cpu, stack: index };
        if (report.pid !== undefined) cpu.pid = report.pid;
        if (report.comm !== undefined) cpu.comm = report.comm;
        if (report.regs) cpu.regs = report.regs;
        cpus.set(report.cpu, cpu);
      }
      if (isHungTaskReport(report) && report.pid !== undefined) {
        const t = task(report.pid);
        t.comm ??= report.comm;
        t.state ??= 'UN';
        t.stack ??= index;
      }
    }
    for (const other of report.otherStacks ?? []) {
      if (other.stack.pid === undefined) continue;
      const index = addStack(other.stack);
      const t = task(other.stack.pid);
      t.comm ??= other.stack.comm;
      t.stack ??= index;
    }
    for (const lock of report.locks ?? []) {
      if (lock.heldByPid === undefined) continue;
      task(lock.heldByPid).comm ??= lock.heldByComm;
    }
  });
  for (const i of index.taskDumps.slice(0, MAX_TASK_DUMPS)) {
    const dump = readTaskDump(index, i);
    if (!dump) continue;
    const stackIndex = addStack(dump.stack);
    const t = task(dump.task.pid);
    t.comm ??= dump.task.comm;
    t.state ??= dump.task.state;
    t.stack ??= stackIndex;
    t.evidence ??= dump.task.evidence;
  }
  if (system.panicPid !== undefined) {
    const t = task(system.panicPid);
    t.panicking = true;
    t.comm ??= system.panicComm;
    if (system.panicCpu !== undefined) {
      t.cpu = system.panicCpu;
      const cpu = cpus.get(system.panicCpu);
      if (!cpu)
        cpus.set(system.panicCpu, { id: system.panicCpu, pid: system.panicPid, comm: system.panicComm });
    }
  }
  for (const c of cpus.values()) {
    if (c.pid !== undefined && c.pid !== 0) {
      const t = task(c.pid);
      t.comm ??= c.comm;
      t.cpu ??= c.id;
      t.active = true;
      if (c.stack !== undefined) t.stack ??= c.stack;
    }
  }
  const gaps: Crash['gaps'] = [];
  if (found.uncounted > 0)
    gaps.push({
      what: `${found.uncounted} further reports`,
      why: 'only the first reports of a log are analysed',
    });
  if (lostConsole)
    gaps.push({ what: 'the end of the console output', why: 'the console connection was lost' });
  return {
    reports,
    stacks,
    cpus: [...cpus.values()].sort((a, b) => a.id - b.id),
    tasks: [...tasks.values()].map(cleanTask),
    system,
    gaps,
  };
}

function cleanTask(t: Task): Task {
  for (const k of Object.keys(t) as (keyof Task)[]) if (t[k] === undefined) delete t[k];
  return t;
}

function mergeInOrder(a: Report[], b: Report[]): Report[] {
  if (b.length === 0) return a;
  return [...a, ...b].sort((x, y) => x.startLine - y.startLine);
}

/** An "INFO: task … blocked for more than N seconds" report (not the panic that may follow it). */
export function isHungTaskReport(report: Report): boolean {
  return report.match?.rule === 'hung-task' || report.match?.rule === 'hung-task-split';
}

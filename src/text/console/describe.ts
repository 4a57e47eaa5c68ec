/**
 * Structured facts of one report, read from its region: who (CPU, PID, comm), what kernel (taint,
 * release, hardware, modules), where (RIP and registers, `Code:` bytes, the Call Trace with its
 * contexts, further stacks such as KASAN's allocation/free stacks), and kind-specific facts
 * (stuck seconds, stalled CPUs, fault address, access size, locks held).
 */

import type { LogRecord, RegisterSet, Report } from '../../model/index.js';
import {
  parseCpuLine,
  parseHardware,
  parseLockLine,
  parseLocksHeldBy,
  parseModules,
  parseTaskLine,
} from './facts.js';
import { parseTraceLine } from './frames.js';
import { headerFacts, listCorruptionOf } from './header-facts.js';
import { clip } from './headers.js';
import { lockdepFacts } from './lockdep-facts.js';
import type { Region } from './region.js';
import { addRegisters, isRegisterLine, parseCodeLine, parseRipLine, type RipLine } from './registers.js';
import { readStack, type TextLine } from './stack.js';

/** Stack headers other than the Call Trace, with the label they give the stack. */
const OTHER_STACK =
  /^\s*(Allocated by task \d+:|Freed by task \d+:|Last potentially related work creation:|Second to last potentially related work creation:|Uninit was (?:created|stored to memory) at:|Local variable .* created at:|backtrace(?: \(crc [0-9a-f]+\))?:|(?:alloc|free|allocated|freed) (?:by task|stack)[^:]*:|page last (?:allocated|free)[^:]*:)/;

export function describeReport(report: Report, region: Region, records: LogRecord[], maxLines = 1500): void {
  // The report proper: up to where another report starts (its own context's later lines, for a
  // caller-id log), and at most maxLines.
  const count = Math.min(Math.max(region.titleLines, 1), maxLines);
  const lines: TextLine[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const text = clip(region.lines[k]!);
    const line = records[region.recordIndex[k]!]?.line;
    lines[k] = line !== undefined ? { text, line } : { text };
  }
  headerFacts(report, lines);
  lockdepFacts(report, lines);
  // The BUG in lib/list_debug.c follows the line that says what was wrong with the list.
  if (report.listCorruption === undefined && report.bugAt?.startsWith('lib/list_debug.c')) {
    for (let k = region.start - 1; k >= Math.max(0, region.start - 4); k--) {
      const list = listCorruptionOf(clip(records[k]!.text));
      if (list) {
        report.listCorruption = list;
        break;
      }
    }
  }
  let pendingRegs: { regs: RegisterSet; rip?: RipLine; at: TextLine } | undefined;
  let taskLine: ReturnType<typeof parseTaskLine>;
  let holder: { comm: string; pid: number } | undefined;
  let sawCpuLine = false;
  const stallSeenFromAfar =
    report.match?.kindHint === 'rcu-stall' && !report.header.includes('self-detected');
  // A hung-task report is printed by khungtaskd about another task: a CPU line in its region
  // belongs to whatever follows (the hung_task panic), not to the blocked task.
  const aboutAnotherTask = report.match?.rule === 'hung-task' || report.match?.rule === 'hung-task-split';
  for (let i = 1; i < count; i++) {
    const at = lines[i]!;
    const text = at.text;
    let p = 0;
    while (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9) p++;
    const c = text.charCodeAt(p);
    if (holder) {
      const lock = c === 35 /* # */ ? parseLockLine(text) : undefined;
      if (lock) {
        lock.heldByPid = holder.pid;
        lock.heldByComm = holder.comm;
        if (at.line !== undefined) lock.evidence = { source: 'log', line: at.line, text: text.trim() };
        report.locks ??= [];
        report.locks.push(lock);
        continue;
      }
      holder = undefined;
    }
    if (c === 67 /* C */) {
      if (!sawCpuLine && text.startsWith('CPU: ', p)) {
        const cpu = parseCpuLine(text);
        if (cpu) {
          sawCpuLine = true;
          // A stall detected by another CPU: the first CPU line is the first stalled CPU's backtrace.
          if (aboutAnotherTask) continue;
          if (!stallSeenFromAfar) {
            report.cpu ??= cpu.cpu;
            report.pid ??= cpu.pid;
            report.comm ??= cpu.comm;
          }
          if (cpu.taint) report.taint ??= cpu.taint;
          if (cpu.release) report.release ??= cpu.release;
          if (cpu.version) report.version ??= cpu.version;
          continue;
        }
      }
      if (text.startsWith('Call Trace:', p) || text.startsWith('Call trace:', p)) {
        i = takeStack(report, lines, i + 1, pendingRegs, taskLine, text) - 1;
        pendingRegs = undefined;
        taskLine = undefined;
        continue;
      }
    } else if (c === 72 /* H */ && report.hardware === undefined) {
      const hw = parseHardware(text);
      if (hw) {
        report.hardware = hw;
        continue;
      }
    } else if (c === 77 /* M */ && report.modules === undefined && text.startsWith('Modules linked in:', p)) {
      report.modules = parseModules(text);
      continue;
    } else if (c >= 48 && c <= 57 && text.includes(' held by ')) {
      holder = parseLocksHeldBy(text);
      if (holder) continue;
    } else if (c === 116 /* t */ && text.startsWith('task:', p)) {
      taskLine = parseTaskLine(text);
      if (taskLine) continue;
    } else if (c === 66 /* B */ && text.startsWith('Backtrace:', p)) {
      i = takeStack(report, lines, i + 1, pendingRegs, taskLine, text) - 1;
      pendingRegs = undefined;
      taskLine = undefined;
      continue;
    }
    if (!report.stack && (isRegisterLine(text) || (c === 80 && text.startsWith('PC is at ', p)))) {
      if (/^\s*R?IP: |^\s*pc : |^\s*PC is at /.test(text)) {
        const rip = parseRipLine(text);
        // Old arm64 says "PC is at f+…" and then "pc : [<addr>] lr : …": one register block.
        if (!rip?.fn && pendingRegs?.rip?.fn) {
          addRegisters(pendingRegs.regs, text);
          continue;
        }
        pendingRegs = { regs: { values: {} }, at };
        if (rip) {
          pendingRegs.rip = rip;
          if (rip.fn && report.ripFunction === undefined) {
            report.ripFunction = rip.fn;
            if (rip.offset !== undefined) report.ripOffset = rip.offset;
            if (rip.size !== undefined) report.ripSize = rip.size;
            if (rip.module) report.ripModule = rip.module;
          }
        }
      }
      if (pendingRegs) addRegisters(pendingRegs.regs, text, at.line);
      if (!report.code && c === 67) {
        const code = parseCodeLine(text);
        if (code) report.code = code;
      }
      continue;
    }
    if (!report.stack && i === 1 && parseTraceLine(text)?.type === 'frame') {
      // KMSAN and kmemleak print frames right after the header, without "Call Trace:".
      i = takeStack(report, lines, i, pendingRegs, taskLine, text) - 1;
      continue;
    }
    if (text.endsWith(':')) {
      const other = OTHER_STACK.exec(text);
      if (other) {
        const { stack, end } = readStack(lines, i + 1, 'other');
        if (stack.frames.length > 0) {
          report.otherStacks ??= [];
          report.otherStacks.push({ label: other[1]!.trim(), stack });
        }
        i = Math.max(i, end - 1);
      }
    }
  }
  // Registers without a trace after them (a cut log): still the report's registers.
  if (!report.regs && pendingRegs) report.regs = pendingRegs.regs;
  // 3.x prints `Code:` after the Call Trace (which the stack reader passed over): still the bytes
  // around the report's RIP.
  if (!report.code && report.regs && !report.regs.code) {
    for (let i = 1; i < count; i++) {
      const text = lines[i]!.text;
      if (!text.includes('Code: ')) continue;
      const code = parseCodeLine(text);
      if (!code) continue;
      report.code = code;
      report.regs.code = code;
      break;
    }
  }
}

/** Reads the stack starting at `from`: the report's own if it has none yet, else another one. */
function takeStack(
  report: Report,
  lines: TextLine[],
  from: number,
  regs: { regs: RegisterSet; rip?: RipLine; at: TextLine } | undefined,
  taskLine: ReturnType<typeof parseTaskLine>,
  label: string,
): number {
  const rule = report.match?.rule;
  const origin =
    rule === 'hung-task' || rule === 'hung-task-split' ? 'hung-task' : isLockup(report) ? 'lockup' : 'oops';
  const { stack, end } = readStack(lines, from, origin, report.stack ? undefined : regs);
  if (!report.stack) {
    report.stack = stack;
    if (regs) report.regs = regs.regs;
    // Old kernels print the oops registers inside the trace (after the trap frames).
    const inTrace = stack.exceptions[0];
    if (!regs && inTrace?.ripFunction && report.ripFunction === undefined) {
      report.ripFunction = inTrace.ripFunction;
      if (inTrace.ripOffset !== undefined) report.ripOffset = inTrace.ripOffset;
      report.regs = inTrace.regs;
    }
    if (taskLine) {
      stack.pid = taskLine.pid;
      stack.comm = taskLine.comm;
    } else {
      if (report.pid !== undefined) stack.pid = report.pid;
      if (report.comm !== undefined) stack.comm = report.comm;
      if (report.cpu !== undefined) stack.cpu = report.cpu;
    }
  } else if (stack.frames.length > 0) {
    if (taskLine) {
      stack.pid = taskLine.pid;
      stack.comm = taskLine.comm;
    }
    report.otherStacks ??= [];
    report.otherStacks.push({
      label: taskLine ? `task ${taskLine.comm}:${taskLine.pid}` : label.trim(),
      stack,
    });
  }
  return Math.max(from, end);
}

function isLockup(report: Report): boolean {
  const k = report.match?.kindHint;
  return k === 'soft-lockup' || k === 'hard-lockup' || k === 'rcu-stall';
}

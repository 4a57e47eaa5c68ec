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
import { headerFacts } from './header-facts.js';
import { clip } from './headers.js';
import type { Region } from './region.js';
import { addRegisters, isRegisterLine, parseCodeLine, parseRipLine, type RipLine } from './registers.js';
import { readStack, type TextLine } from './stack.js';

/** Stack headers other than the Call Trace, with the label they give the stack. */
const OTHER_STACK =
  /^\s*(Allocated by task \d+:|Freed by task \d+:|Last potentially related work creation:|Second to last potentially related work creation:|Uninit was (?:created|stored to memory) at:|Local variable .* created at:|backtrace(?: \(crc [0-9a-f]+\))?:|(?:alloc|free|allocated|freed) (?:by task|stack)[^:]*:|page last (?:allocated|free)[^:]*:)/;
const CALL_TRACE_LINE = /Call [Tt]race:|^\s*Backtrace:/;

export function describeReport(report: Report, region: Region, records: LogRecord[], maxLines = 1500): void {
  const count = Math.min(region.lines.length, maxLines);
  const lines: TextLine[] = region.lines.slice(0, count).map((raw, k) => {
    const text = clip(raw);
    const record = records[region.recordIndex[k]!];
    return record?.line !== undefined ? { text, line: record.line } : { text };
  });
  headerFacts(report, lines);
  const limit = lines.length;
  let pendingRegs: { regs: RegisterSet; rip?: RipLine; at: TextLine } | undefined;
  let taskLine: ReturnType<typeof parseTaskLine>;
  let holder: { comm: string; pid: number } | undefined;
  let sawCpuLine = false;
  const stallSeenFromAfar =
    report.match?.kindHint === 'rcu-stall' && !report.header.includes('self-detected');
  for (let i = 1; i < limit; i++) {
    const at = lines[i]!;
    const text = at.text;
    if (!sawCpuLine) {
      const cpu = parseCpuLine(text);
      if (cpu) {
        sawCpuLine = true;
        // A stall detected by another CPU: the first CPU line is the first stalled CPU's backtrace.
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
    if (report.hardware === undefined) {
      const hw = parseHardware(text);
      if (hw) {
        report.hardware = hw;
        continue;
      }
    }
    if (report.modules === undefined) {
      const mods = parseModules(text);
      if (mods) {
        report.modules = mods;
        continue;
      }
    }
    const held = text.includes(' held by ') ? parseLocksHeldBy(text) : undefined;
    if (held) {
      holder = held;
      continue;
    }
    if (holder) {
      const lock = parseLockLine(text);
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
    const task = text.includes('task:') ? parseTaskLine(text) : undefined;
    if (task) {
      taskLine = task;
      continue;
    }
    if (isRegisterLine(text) && !report.stack) {
      if (/^\s*R?IP: |^\s*pc : /.test(text)) {
        const rip = parseRipLine(text);
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
      if (pendingRegs) addRegisters(pendingRegs.regs, text);
      if (!report.code) {
        const code = parseCodeLine(text);
        if (code) report.code = code;
      }
      continue;
    }
    const callTrace = text.includes('race:') && CALL_TRACE_LINE.test(text);
    if (callTrace || (!report.stack && startsBareTrace(lines, i))) {
      const from = callTrace ? i + 1 : i;
      const origin =
        report.match?.kindHint === 'hung-task' ? 'hung-task' : isLockup(report) ? 'lockup' : 'oops';
      const { stack, end } = readStack(lines, from, origin, report.stack ? undefined : pendingRegs);
      if (!report.stack) {
        report.stack = stack;
        if (pendingRegs) report.regs = pendingRegs.regs;
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
          label: taskLine ? `task ${taskLine.comm}:${taskLine.pid}` : text.trim(),
          stack,
        });
      }
      taskLine = undefined;
      pendingRegs = undefined;
      i = Math.max(i, end - 1);
      continue;
    }
    const other = text.endsWith(':') ? OTHER_STACK.exec(text) : null;
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

/** KMSAN and kmemleak print frames right after the header, without "Call Trace:". */
function startsBareTrace(lines: TextLine[], i: number): boolean {
  if (i !== 1) return false;
  const item = parseTraceLine(lines[i]!.text);
  return item?.type === 'frame';
}

function isLockup(report: Report): boolean {
  const k = report.match?.kindHint;
  return k === 'soft-lockup' || k === 'hard-lockup' || k === 'rcu-stall';
}

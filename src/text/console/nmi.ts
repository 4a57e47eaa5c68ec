/**
 * All-CPU backtraces: the `NMI backtrace for cpu N` blocks that RCU stalls, hard lockups, hung
 * tasks (with sys.kernel.hung_task_all_cpu_backtrace) and sysrq-l print, one per CPU. Each block
 * becomes a stack with `cpu` set, its registers and the task that ran there — what the stack-group
 * and spinner analyzers read.
 */

import type { RegisterSet, Stack } from '../../model/index.js';
import { parseCpuLine, parseHardware, parseModules } from './facts.js';
import { clip } from './headers.js';
import type { LogIndex } from './log-index.js';
import { addRegisters, isRegisterLine, parseRipLine, type RipLine } from './registers.js';
import { readStack, type TextLine } from './stack.js';

const NMI_HEADER = /NMI backtrace for cpu (\d+)(?: skipped: idling at (\S+))?/;
/** Lines of a block collected before parsing: a backtrace is rarely more than 80 lines. */
const MAX_BLOCK_LINES = 200;
/** Records looked at for one block (others' lines interleave; the search must stay bounded). */
const MAX_BLOCK_SCAN = 1500;

export interface CpuBacktrace {
  cpu: number;
  pid?: number;
  comm?: string;
  idle?: boolean;
  stack: Stack;
  /** Index of the header record. */
  record: number;
}

export function isNmiHeader(text: string): boolean {
  return text.includes('NMI backtrace for cpu');
}

/** Reads the backtrace block that starts at `records[start]`. */
export function readCpuBacktrace(index: LogIndex, start: number): CpuBacktrace | undefined {
  const records = index.records;
  const head = records[start]!;
  const m = NMI_HEADER.exec(head.text);
  if (!m) return undefined;
  const cpu = Number(m[1]);
  const evidence =
    head.line === undefined ? undefined : { source: 'log' as const, line: head.line, text: head.text.trim() };
  if (m[2]) {
    // "skipped: idling at native_safe_halt+0xb/0x10": the CPU was idle, one frame says where.
    const rip = parseRipLine(`RIP: ${m[2]}`);
    const stack: Stack = { cpu, origin: 'nmi-backtrace', frames: [], exceptions: [] };
    if (rip?.fn)
      stack.frames.push({ fn: rip.fn, offset: rip.offset, size: rip.size, reliable: true, context: 'task' });
    if (evidence) stack.evidence = evidence;
    return { cpu, idle: true, stack, record: start };
  }
  const context = index.ctx[start]!;
  const lines: TextLine[] = [];
  const end = Math.min(records.length, start + 1 + MAX_BLOCK_SCAN);
  for (let i = start + 1; i < end && lines.length < MAX_BLOCK_LINES; i++) {
    const r = records[i]!;
    // Lines of other contexts (another CPU, bare serial noise) are not part of this block.
    if (index.ctx[i] !== context) continue;
    if (isNmiHeader(r.text) || r.text.includes('Sending NMI from CPU')) break;
    const text = clip(r.text);
    lines.push(r.line === undefined ? { text } : { text, line: r.line });
  }
  const out: CpuBacktrace = {
    cpu,
    stack: { cpu, origin: 'nmi-backtrace', frames: [], exceptions: [] },
    record: start,
  };
  let top: { regs: RegisterSet; rip?: RipLine; at: TextLine } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i]!;
    const text = at.text;
    const cpuLine = parseCpuLine(text);
    if (cpuLine) {
      out.pid = cpuLine.pid;
      out.comm = cpuLine.comm;
      continue;
    }
    if (parseHardware(text) !== undefined || parseModules(text) !== undefined) continue;
    if (isRegisterLine(text)) {
      if (/^\s*R?IP: |^\s*pc : /.test(text)) {
        top = { regs: { values: {} }, at };
        const rip = parseRipLine(text);
        if (rip) top.rip = rip;
      }
      if (top) addRegisters(top.regs, text, at.line);
      continue;
    }
    if (/Call [Tt]race:/.test(text)) {
      out.stack = readStack(lines, i + 1, 'nmi-backtrace', top).stack;
      break;
    }
    break;
  }
  const stack = out.stack;
  stack.cpu = cpu;
  if (out.pid !== undefined) stack.pid = out.pid;
  if (out.comm !== undefined) stack.comm = out.comm;
  if (!stack.regs && top) stack.regs = top.regs;
  if (stack.frames.length === 0 && top?.rip?.fn) {
    stack.frames.push({
      fn: top.rip.fn,
      offset: top.rip.offset,
      size: top.rip.size,
      reliable: true,
      context: 'unknown',
    });
    stack.partial = true;
  }
  // The RIP frame ran in the context of the first printed frame below it.
  const [f0, f1] = stack.frames;
  if (f0 && f1 && f0.context === 'unknown') f0.context = f1.context;
  if (evidence)
    stack.evidence = { ...evidence, ...(stack.evidence?.endLine ? { endLine: stack.evidence.endLine } : {}) };
  return out;
}

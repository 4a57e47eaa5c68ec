/**
 * After all blocks are read: merge stacks, apply struct dumps to tasks and pages, decide each CPU's
 * current task, derive frame offsets from the symbol starts the transcript revealed, attach the
 * memory/code/symbol views, and note what is missing.
 */

import type { Crash, Evidence, Stack } from '../../model/index.js';
import { type ActiveTask, appendTo, type TranscriptBuilder } from './builder.js';
import { applyLog } from './commands/log.js';
import { settlePanicTask } from './panic-task.js';
import { settleStacks } from './stacks.js';
import { applyStructs } from './structs.js';
import { InstructionList } from './views/code-view.js';

/** Offsets beyond this are not believed: a symbol start learnt from a misread line. */
const MAX_OFFSET = 1n << 24n;

export function finish(out: TranscriptBuilder): Crash {
  const crash = out.crash;
  settleStacks(out);
  applyLog(out, out.blocks);
  applyStructs(out);
  deriveOffsets(out);
  settlePanicTask(out);
  settleCpus(out);
  const code = new InstructionList(out.instructions);
  if (out.memory.wordCount > 0) {
    out.memory.littleEndian = !/^(ppc64|s390|sparc|mips)(?!le)/.test(crash.system.machine ?? 'x86_64');
    crash.memory = out.memory;
  }
  if (code.size > 0) crash.code = code;
  if (out.symbols.size > 0) crash.symbols = out.symbols;
  noteGaps(out, code);
  return crash;
}

function deriveOffsets(out: TranscriptBuilder): void {
  for (const stack of out.crash.stacks) {
    for (const frame of stack.frames) {
      if (frame.offset !== undefined || !frame.fn || frame.address === undefined) continue;
      const sym = out.symbols.byName(frame.fn);
      if (!sym || frame.address < sym.address || frame.address - sym.address > MAX_OFFSET) continue;
      frame.offset = Number(frame.address - sym.address);
    }
  }
}

/** Where a CPU's current task is said, strongest first. */
const PRIORITY: Record<string, number> = { 'bt -a': 0, sys: 1, runq: 2, ps: 3 };

function rank(a: ActiveTask): number {
  const cmd = a.evidence.command ?? '';
  for (const [key, p] of Object.entries(PRIORITY)) if (cmd.startsWith(key)) return p;
  return 4;
}

function settleCpus(out: TranscriptBuilder): void {
  const crash = out.crash;
  const claims = [...out.active];
  // A task whose stack shows NMI or IRQ context, or the panic path, was running on its CPU.
  for (const stack of crash.stacks) {
    if (stack.partial || stack.cpu === undefined || stack.pid === undefined) continue;
    const onCpu =
      stack.frames.some((f) => f.context === 'nmi' || f.context === 'irq' || f.context === 'softirq') ||
      stack.frames.some((f) => /^(machine_kexec|crash_kexec|__crash_kexec)$/.test(f.fn ?? ''));
    if (onCpu && stack.evidence)
      claims.push({
        cpu: stack.cpu,
        pid: stack.pid,
        ...(stack.task !== undefined ? { task: stack.task } : {}),
        ...(stack.comm !== undefined ? { comm: stack.comm } : {}),
        evidence: {
          ...stack.evidence,
          note: 'interrupted in NMI/IRQ context or panicking: running on its CPU',
        },
      });
  }
  claims.sort((a, b) => rank(a) - rank(b));
  for (const claim of claims) {
    let cpu = crash.cpus.find((c) => c.id === claim.cpu);
    if (!cpu) {
      cpu = { id: claim.cpu };
      crash.cpus.push(cpu);
    }
    cpu.evidence = appendTo(cpu.evidence, claim.evidence);
    if (cpu.pid !== undefined || cpu.task !== undefined) continue;
    if (claim.pid !== undefined) cpu.pid = claim.pid;
    if (claim.task !== undefined) cpu.task = claim.task;
    if (claim.comm !== undefined) cpu.comm = claim.comm;
  }
  crash.cpus.sort((a, b) => a.id - b.id);
  for (const cpu of crash.cpus) {
    const task = crash.tasks.find((t) =>
      cpu.task !== undefined ? t.task === cpu.task : t.pid === cpu.pid && cpu.pid !== 0,
    );
    if (task) {
      task.active = true;
      task.cpu ??= cpu.id;
      cpu.comm ??= task.comm;
      if (task.stack !== undefined) cpu.stack = task.stack;
    }
    const stack = cpu.stack !== undefined ? crash.stacks[cpu.stack] : undefined;
    const interrupted = stack?.exceptions.find((e) => !e.bogus && Object.keys(e.regs.values).length > 0);
    if (interrupted) cpu.regs = interrupted.regs;
  }
}

const IDLE =
  /^(native_safe_halt|default_idle|mwait_idle|intel_idle|acpi_idle_do_entry|poll_idle|cpu_idle_poll|native_halt|arch_safe_halt|cpuidle_enter_state)$/;

function noteGaps(out: TranscriptBuilder, code: InstructionList): void {
  const crash = out.crash;
  const sys = crash.system;
  if (sys.release === undefined && sys.panic === undefined)
    out.gap('`sys` output', 'kernel release, panic string and panic task are not in the transcript');
  if (sys.panicPid !== undefined && !crash.stacks.some((s) => s.pid === sys.panicPid && !s.partial))
    out.gap(`\`bt ${sys.panicPid}\``, "the panic task's stack is not in the transcript");
  const withStacks = crash.cpus.filter((c) => c.stack !== undefined).length;
  if (sys.cpus !== undefined && withStacks < sys.cpus)
    out.gap(
      '`bt -a`',
      `stacks of ${withStacks} of ${sys.cpus} CPUs are in the transcript; the others' state is unknown`,
    );
  if (crash.log.length === 0)
    out.gap(
      '`log`',
      'the kernel log (watchdog message, taint letters, earlier warnings) is not in the transcript',
    );
  const missing = new Map<bigint, Evidence | undefined>();
  for (const stack of crash.stacks)
    for (const ex of stack.exceptions) noteMissingDis(stack, ex, code, missing);
  let shown = 0;
  for (const [rip, ev] of missing) {
    if (shown++ >= 3) break;
    const name = ripName(out, rip);
    out.gap(
      `\`dis -l ${rip.toString(16)}\``,
      `no disassembly around ${name}: the instruction the CPU was at, and a lock operand in it, cannot be read`,
      ev,
    );
  }
}

function noteMissingDis(
  _stack: Stack,
  ex: Stack['exceptions'][number],
  code: InstructionList,
  missing: Map<bigint, Evidence | undefined>,
): void {
  const rip = ex.regs.values.rip;
  if (ex.bogus || rip === undefined || !ex.ripFunction || IDLE.test(ex.ripFunction)) return;
  if (ex.entry === 'syscall') return;
  if (code.at(rip) || missing.has(rip)) return;
  missing.set(rip, ex.evidence);
}

function ripName(out: TranscriptBuilder, rip: bigint): string {
  const hit = out.symbols.lookup(rip);
  return hit ? `${hit.symbol.name}+${hit.offset}` : rip.toString(16);
}

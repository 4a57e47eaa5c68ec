/**
 * Every lab scenario's real crash 8.0.2 outputs (test/fixtures/lab/<scenario>/crash/*.txt), each
 * file parsed alone (no prompt: the command is inferred from the shape) and the whole session with
 * prompts. Expectations come from the files themselves (counted with plain line matching), from
 * INDEX.md, and from drgn's independent task list (drgn-tasks.txt).
 */

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interruptsDisabled } from '../../src/model/index.js';
import { fixture } from '../helpers/shared.js';
import { LAB_SCENARIOS, labFile, labSession, parseFile, parseText, readText } from './helpers.js';

const lines = (path: string) => readText(path).split('\n');

/** drgn's view: pid → task address, and the crashing thread. */
function drgn(scenario: string): { tasks: Map<bigint, number>; crashing: number } {
  const text = readText(fixture('lab', scenario, 'drgn-tasks.txt'));
  const tasks = new Map<bigint, number>();
  for (const m of text.matchAll(/^PID (\d+) .* TASK (0x[0-9a-f]+)$/gm))
    tasks.set(BigInt(m[2]!), Number(m[1]));
  return { tasks, crashing: Number(/panic\/crashing thread: (\d+)/.exec(text)![1]) };
}

function indexTrigger(scenario: string): string {
  const row = readText(fixture('lab', 'INDEX.md'))
    .split('\n')
    .find((l) => l.startsWith(`| ${scenario} |`))!;
  // the column keeps the serial console's CR inside the backticks
  return row.split('|')[2]!.trim().replace(/^`|`$/g, '').trim();
}

function indexPanic(scenario: string): string {
  const row = readText(fixture('lab', 'INDEX.md'))
    .split('\n')
    .find((l) => l.startsWith(`| ${scenario} |`))!;
  return /\| `"(.*?)"(?: \(check log for details\))?` \|/.exec(row)![1]!;
}

describe.each(LAB_SCENARIOS)('lab %s', (scenario) => {
  const reference = drgn(scenario);

  it('sys.txt: the panic string INDEX.md records, release, CPUs, partial dump', () => {
    const crash = parseFile(labFile(scenario, 'sys.txt'));
    expect(crash.system.panic).toBe(indexPanic(scenario));
    expect(crash.system.release).toBe('6.1.0-56-amd64');
    expect(crash.system.cpus).toBe(4);
    expect(crash.system.partialDump).toBe(true);
    expect(crash.system.version).toBe('#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)');
    expect(crash.system.dumpDate).toMatch(/^2026-11-27T05:\d\d:\d\dZ|^2026-11-27T05:\d\d:\d\d\.000Z$/);
    expect(crash.system.tainted).toBe(
      /\[TAINTED\]/.test(readText(labFile(scenario, 'sys.txt'))) || undefined,
    );
    expect(crash.transcript).toHaveLength(1);
  });

  for (const file of ['bt-a.txt', 'foreach-bt.txt']) {
    it(`${file}: one stack per PID header, every frame, tasks that drgn knows`, () => {
      const path = labFile(scenario, file);
      const text = lines(path);
      const crash = parseFile(path);
      const headers = text.filter((l) => /^PID: /.test(l));
      expect(crash.stacks).toHaveLength(headers.length);
      const frameLines = text.filter((l) => /^\s*#\d+ \[/.test(l)).length;
      expect(crash.stacks.reduce((n, s) => n + s.frames.length, 0)).toBe(frameLines);
      const ripLines = text.filter((l) => /\[exception RIP:/.test(l)).length;
      const bareRegisterBlocks = text.filter(
        (l, i) => /^\s+RIP: /.test(l) && !/\[exception RIP:/.test(text[i - 1] ?? ''),
      ).length;
      expect(crash.stacks.reduce((n, s) => n + s.exceptions.length, 0)).toBe(ripLines + bareRegisterBlocks);
      const bogus = text.filter((l) => /possibly bogus exception frame/.test(l)).length;
      expect(crash.stacks.flatMap((s) => s.exceptions).filter((e) => e.bogus)).toHaveLength(bogus);
      for (const stack of crash.stacks) {
        expect(stack.origin).toBe('crash-bt');
        if (stack.pid !== 0) expect(reference.tasks.get(stack.task!)).toBe(stack.pid);
        for (const ex of stack.exceptions) expect(Object.keys(ex.regs.values)).toHaveLength(21);
      }
    });
  }

  it('bt-a.txt: four CPUs, each with its current task and stack', () => {
    const crash = parseFile(labFile(scenario, 'bt-a.txt'));
    expect(crash.cpus.map((c) => c.id)).toEqual([0, 1, 2, 3]);
    for (const cpu of crash.cpus) {
      const stack = crash.stacks[cpu.stack!]!;
      expect(stack.cpu).toBe(cpu.id);
      expect(stack.task).toBe(cpu.task);
    }
  });

  it('bt-f-panic-task.txt: the crashing thread drgn names, with every printed word', () => {
    const path = labFile(scenario, 'bt-f-panic-task.txt');
    const crash = parseFile(path);
    expect(crash.stacks).toHaveLength(1);
    const stack = crash.stacks[0]!;
    expect(stack.pid).toBe(reference.crashing);
    const printedWords = lines(path)
      .filter((l) => /^\s+[0-9a-f]{16}: /.test(l))
      .reduce((n, l) => n + l.trim().split(/\s+/).length - 1, 0);
    expect(stack.frameWords!.reduce((n, f) => n + f.words.length, 0)).toBe(printedWords);
    const first = /^\s+([0-9a-f]{16}): ([0-9a-f]{16})/m.exec(readText(path))!;
    expect(crash.memory?.readU64(BigInt(`0x${first[1]}`))).toBe(BigInt(`0x${first[2]}`));
  });

  it('ps.txt: every row, `>` marks the active tasks, drgn agrees on pid and task', () => {
    const path = labFile(scenario, 'ps.txt');
    const rows = lines(path).filter((l) => /^[> ]\s+\d/.test(l));
    const crash = parseFile(path);
    expect(crash.tasks).toHaveLength(rows.length);
    expect(crash.tasks.filter((t) => t.active)).toHaveLength(rows.filter((r) => r.startsWith('>')).length);
    for (const t of crash.tasks) {
      expect(t.state).toBe('RU');
      if (t.pid !== 0) expect(reference.tasks.get(t.task!)).toBe(t.pid);
    }
    expect(crash.cpus.every((c) => crash.tasks.some((t) => t.task === c.task && t.active))).toBe(true);
  });

  it("runq.txt: each CPU's current task", () => {
    const path = labFile(scenario, 'runq.txt');
    const crash = parseFile(path);
    const currents = [...readText(path).matchAll(/CURRENT: PID: (\d+)\s+TASK: ([0-9a-f]+)/g)];
    expect(crash.cpus).toHaveLength(currents.length);
    for (const [i, cpu] of crash.cpus.entries()) expect(cpu.task).toBe(BigInt(`0x${currents[i]![2]}`));
  });

  it('log.txt: one record per printed line, times and text', () => {
    const path = labFile(scenario, 'log.txt');
    const crash = parseFile(path);
    const nonEmpty = lines(path).filter((l) => l.trim() !== '');
    expect(crash.log).toHaveLength(nonEmpty.length);
    expect(crash.log[0]!.text).toMatch(/^Linux version 6\.1\.0-56-amd64/);
    expect(crash.log[0]!.time).toBe(0);
    expect(crash.log.filter((r) => r.time !== undefined).length).toBe(
      nonEmpty.filter((l) => /^\[\s*\d+\.\d+\]/.test(l)).length,
    );
    // The console source finds the reports in it; line numbers are the file's.
    const trigger = indexTrigger(scenario);
    const report = crash.reports.find((r) => r.lines.some((l) => l.includes(trigger)))!;
    expect(report).toBeDefined();
    expect(lines(path)[report.startLine - 1]).toContain(report.header);
  });

  it('kmem-i.txt, mod.txt, tasklist.txt', () => {
    const kmem = parseFile(labFile(scenario, 'kmem-i.txt')).system.memoryUsage!;
    const total = /TOTAL MEM\s+(\d+)/.exec(readText(labFile(scenario, 'kmem-i.txt')))!;
    expect(kmem['TOTAL MEM']!.pages).toBe(Number(total[1]));
    expect(kmem.FREE!.percent).toBeGreaterThan(0);
    expect(Object.keys(kmem)).toHaveLength(14);
    const modText = lines(labFile(scenario, 'mod.txt')).filter((l) => /^[0-9a-f]{16}/.test(l));
    expect(parseFile(labFile(scenario, 'mod.txt')).modules).toHaveLength(modText.length);
    const list = labFile(scenario, 'tasklist.txt');
    if (existsSync(list)) {
      // `list -h init_task` includes init_task; drgn's task list does not.
      expect(parseFile(list).lists![0]!.addresses).toHaveLength(reference.tasks.size + 1);
    }
  });

  it('the whole session with prompts: each task once, each CPU with its stack', () => {
    const { text } = labSession(scenario);
    const crash = parseText(text);
    const foreach = parseFile(labFile(scenario, 'foreach-bt.txt'));
    expect(crash.stacks.filter((s) => !s.partial && s.origin === 'crash-bt')).toHaveLength(
      foreach.stacks.length,
    );
    // The log's own stacks (NMI backtraces, hung tasks crash could not list) join them, with their
    // origin and lines inside the `log` output.
    const logLines = crash.transcript!.find((b) => b.command === 'log')!;
    for (const s of crash.stacks.filter((x) => x.origin !== 'crash-bt')) {
      expect(s.evidence?.line).toBeGreaterThanOrEqual(logLines.startLine);
      expect(s.evidence?.line).toBeLessThanOrEqual(logLines.endLine);
    }
    expect(crash.cpus.map((c) => c.id)).toEqual([0, 1, 2, 3]);
    const btA = parseFile(labFile(scenario, 'bt-a.txt'));
    for (const cpu of crash.cpus) expect(cpu.task).toBe(btA.cpus[cpu.id]!.task);
    const panicStack = crash.stacks.find((s) => s.pid === reference.crashing && s.frameWords);
    expect(panicStack).toBeDefined();
    expect(crash.system.panic).toBe(indexPanic(scenario));
    expect(crash.transcript!.every((b) => b.via === 'prompt')).toBe(true);
    expect(crash.transcript!.filter((b) => b.parser === 'none')).toHaveLength(0);
  });
});

describe('lab: spinners, locks and interrupt state', () => {
  it("abba-spinlock*: both spinners wait in the slow path on each other's lock (lock.txt)", () => {
    for (const scenario of ['abba-spinlock', 'abba-spinlock-irqoff']) {
      const crash = parseText(labSession(scenario).text);
      const a = crash.symbols!.byName('lab_lock_a')!;
      const b = crash.symbols!.byName('lab_lock_b')!;
      expect(a.type).toBe('B');
      expect(a.module).toBe('lab_abba');
      const spinners = crash.stacks.filter(
        (s) =>
          s.origin === 'crash-bt' &&
          s.exceptions.some((e) => e.ripFunction === 'native_queued_spin_lock_slowpath'),
      );
      // irqoff: both spinners caught by the crash NMI; otherwise one of them is the task the
      // soft-lockup watchdog panicked in (its IRQ-stack frame is bogus) and one is caught by the NMI.
      expect(spinners).toHaveLength(scenario.endsWith('irqoff') ? 2 : 1);
      const waitedOn = spinners.map((s) => s.exceptions[0]!.regs.values.rdi);
      for (const lock of waitedOn) expect([a.address, b.address]).toContain(lock);
      if (spinners.length === 2) expect(new Set(waitedOn).size).toBe(2);
      for (const s of spinners) {
        expect(s.frames.find((f) => f.fn === 'lab_abba_lock_pair')!.module).toBe('lab_abba');
        // irqoff: spin_lock_irqsave-style threads spin with IF clear (RFLAGS 00000002)
        expect(interruptsDisabled(s.exceptions[0]!.regs)).toBe(scenario.endsWith('irqoff'));
      }
      const lockDump = crash.structs.find((d) => d.expression === 'lab_lock_a')!;
      expect(lockDump.address).toBe(a.address);
      expect(lockDump.fields['rlock.raw_lock.locked']).toBe("1 '\\001'");
    }
  });

  it('bitlock-sched*: the bit-lock word from p/x, sym and rd', () => {
    for (const scenario of ['bitlock-sched', 'bitlock-sched-irqoff']) {
      const crash = parseText(labSession(scenario).text);
      const word = crash.symbols!.byName('lab_bitlock_word')!;
      expect(crash.memory?.readU64(word.address)).toBe(0x8n);
      expect(crash.memory?.describe?.(word.address)?.command).toBe('rd lab_bitlock_word');
      const p = crash.structs.find((s) => s.expression === '/x lab_bitlock_word')!;
      expect(p.fields['']).toBe('0x8');
      expect(p.address).toBe(word.address);
      const spinners = crash.cpus.filter(
        (c) => c.regs && /lab_bitlock_spin/.test(crash.stacks[c.stack!]!.exceptions[0]?.ripFunction ?? ''),
      );
      expect(spinners.length).toBeGreaterThanOrEqual(2);
      for (const c of spinners) expect(interruptsDisabled(c.regs)).toBe(scenario.endsWith('irqoff'));
    }
  });

  it('null-deref: the faulting instruction from dis -l and the page-fault exception frame', () => {
    const crash = parseText(labSession('null-deref').text);
    const stack = crash.stacks.find((s) => s.comm === 'lab_nullderef')!;
    const ex = stack.exceptions[0]!;
    expect(ex.entry).toBe('exception');
    expect(ex.ripFunction).toBe('lab_nullderef_touch');
    expect(ex.ripOffset).toBe(5);
    expect(ex.regs.values.rdi).toBe(0n);
    const [ins] = crash.code!.around(ex.regs.values.rip!, 0, 1);
    expect(ins!.mnemonic).toBe('movq');
    expect(ins!.immediate).toBe(0xdeadn);
    expect(ins!.memory).toEqual({ base: 'rdi', displacement: 8n });
    expect(ins!.source).toBe('lab/modules/lab_nullderef.c: 16');
    const ptr = crash.structs.find((s) => s.expression === 'lab_widget_ptr')!;
    expect(ptr.type).toBe('struct lab_widget *');
    expect(ptr.fields['']).toBe('0x0');
    expect(crash.gaps.some((g) => g.what.startsWith('`dis'))).toBe(false);
  });

  it('sysrq-c: the syscall entry frame of the bash writing to /proc/sysrq-trigger', () => {
    const crash = parseFile(labFile('sysrq-c', 'bt-a.txt'));
    const stack = crash.stacks.find((s) => s.frames.some((f) => f.fn === 'sysrq_handle_crash'))!;
    const syscall = stack.exceptions.find((e) => e.entry === 'syscall')!;
    expect(syscall.beforeFrame).toBe(stack.frames.length);
    expect(syscall.regs.values.cs).toBe(0x33n);
    expect(syscall.regs.values.orig_rax).toBe(1n); // write(2)
  });
});

/**
 * The lab's real kernel logs (vmcore-dmesg.txt of Debian 6.1 crashes made under QEMU), checked
 * against the references made from the same dumps: crash's `sys` (release, CPUs, PANIC), crash's
 * `bt` of the panic task (panic CPU and PID), crash's `bt -a` (the spinning CPUs' exception RIP and
 * RFLAGS must equal what our NMI backtraces say), drgn's task list (the hung tasks' state and
 * stack), and the lab INDEX / README (what each scenario is).
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/analyze/classify/index.js';
import { AnalysisRun } from '../../src/analyze/engine.js';

import { parseConsoleLog } from '../../src/text/console/index.js';
import { fixture } from '../helpers/shared.js';

const read = (scenario: string, file: string): string => readFileSync(fixture('lab', scenario, file), 'utf8');

function load(scenario: string) {
  const crash = parseConsoleLog(read(scenario, 'vmcore-dmesg.txt'), {
    path: scenario,
    format: 'console-log',
  });
  return { crash, c: new AnalysisRun(crash).get(classify) };
}

/** crash `sys`: `KEY: value` lines. */
function sys(scenario: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of read(scenario, 'crash/sys.txt').split('\n')) {
    const m = /^\s*([A-Z ]+): (.*)$/.exec(line);
    if (m) out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}

interface BtCpu {
  pid: number;
  exceptionRip?: string;
  rflags?: bigint;
  /** Registers of the exception frame (crash's names, lower case). */
  regs: Record<string, bigint>;
}

/** crash `bt -a`: per CPU, the PID and the exception frame's RIP and registers. */
function btA(scenario: string): Map<number, BtCpu> {
  const out = new Map<number, BtCpu>();
  let cpu = -1;
  for (const line of read(scenario, 'crash/bt-a.txt').split('\n')) {
    const head = /^PID: (\d+)\s+TASK: \S+\s+CPU: (\d+)/.exec(line);
    if (head) {
      cpu = Number(head[2]);
      out.set(cpu, { pid: Number(head[1]), regs: {} });
      continue;
    }
    const entry = out.get(cpu);
    if (!entry) continue;
    const rip = /\[exception RIP: (\S+)\]/.exec(line);
    if (rip && !entry.exceptionRip) entry.exceptionRip = rip[1]!;
    const fl = /RFLAGS: ([0-9a-f]+)/.exec(line);
    if (fl && entry.rflags === undefined) entry.rflags = BigInt(`0x${fl[1]}`);
    if (entry.exceptionRip && !/^\s*#/.test(line)) {
      for (const m of line.matchAll(/\b(R[A-Z0-9]+): ([0-9a-f]{8,16})\b/g)) {
        const name = m[1]!.toLowerCase();
        if (!(name in entry.regs)) entry.regs[name] = BigInt(`0x${m[2]}`);
      }
    }
  }
  return out;
}

const EXPECTED: Record<string, { kind: string; culprit?: string }> = {
  'abba-spinlock': { kind: 'soft-lockup', culprit: 'lab_abba_lock_pair' },
  'abba-spinlock-irqoff': { kind: 'rcu-stall', culprit: 'lab_abba_lock_pair' },
  // The holder sleeping with the bit lock held is reported first; the spinners' soft lockup follows.
  'bitlock-sched': { kind: 'atomic-sleep' },
  'bitlock-sched-irqoff': { kind: 'atomic-sleep' },
  'mutex-hung': { kind: 'hung-task', culprit: 'lab_mutex_thread_ab' },
  'null-deref': { kind: 'null-deref', culprit: 'lab_nullderef_touch' },
  oom: { kind: 'oom' },
  'rcu-stall': { kind: 'rcu-stall', culprit: 'lab_rcustall_busy_loop' },
  softlockup: { kind: 'soft-lockup', culprit: 'lab_softlockup_busy_loop' },
  'sysrq-c': { kind: 'panic' },
};

describe('lab logs', () => {
  for (const [scenario, expected] of Object.entries(EXPECTED)) {
    it(`${scenario}: kind, culprit and system facts agree with crash`, () => {
      const { crash, c } = load(scenario);
      expect(c.kind).toBe(expected.kind);
      if (expected.culprit) expect(c.culprit?.function).toBe(expected.culprit);
      const s = sys(scenario);
      expect(crash.system.release).toBe(s.RELEASE);
      expect(crash.system.version).toBe(s.VERSION);
      expect(crash.system.cpus).toBe(Number(s.CPUS));
      // crash prints the panic string quoted (and, for an oops, with "(check log for details)").
      expect(s.PANIC).toContain(`"${crash.system.panic}"`);
      const panicTask = /^PID: (\d+)\s+TASK: \S+\s+CPU: (\d+)/.exec(
        read(scenario, 'crash/bt-f-panic-task.txt'),
      )!;
      expect(crash.system.panicPid).toBe(Number(panicTask[1]));
      expect(crash.system.panicCpu).toBe(Number(panicTask[2]));
      expect(c.panic?.cpu).toBe(Number(panicTask[2]));
    });
  }

  for (const scenario of ['abba-spinlock-irqoff', 'bitlock-sched-irqoff']) {
    it(`${scenario}: one NMI backtrace per stalled CPU, where crash's bt -a found it spinning`, () => {
      const { crash } = load(scenario);
      const stall = crash.reports.find((r) => r.match?.rule === 'rcu-stall')!;
      expect(stall.stalledCpus?.length).toBeGreaterThan(0);
      const bt = btA(scenario);
      for (const cpu of stall.stalledCpus!) {
        const stack = crash.stacks.find((s) => s.origin === 'nmi-backtrace' && s.cpu === cpu)!;
        expect(stack, `cpu ${cpu}`).toBeDefined();
        const ref = bt.get(cpu)!;
        // Same task, same spin loop instruction, same RFLAGS (IF clear: interrupts off).
        expect(stack.pid).toBe(ref.pid);
        const top = stack.frames[0]!;
        expect(`${top.fn}+${top.offset}`).toBe(ref.exceptionRip);
        expect(stack.regs?.values.rflags).toBe(ref.rflags);
        // Every general register crash printed for the exception frame, the log printed too.
        const gprs = Object.entries(ref.regs).filter(([n]) => n !== 'rip' && n !== 'rsp' && n !== 'rflags');
        expect(gprs.length).toBeGreaterThan(10);
        for (const [name, value] of gprs)
          expect(stack.regs?.values[name], `${name} of cpu ${cpu}`).toBe(value);
        expect(crash.cpus.find((x) => x.id === cpu)?.stack).toBe(crash.stacks.indexOf(stack));
      }
    });
  }

  it('mutex-hung: both blocked tasks, in D state, with their stacks as drgn sees them', () => {
    const { crash } = load('mutex-hung');
    const drgn = read('mutex-hung', 'drgn-tasks.txt');
    const hung = crash.reports.filter((r) => r.match?.rule === 'hung-task');
    expect(hung.map((r) => r.pid)).toEqual([124, 125]);
    for (const report of hung) {
      const block = drgn.slice(drgn.indexOf(`PID ${report.pid} `)).split('\n\n')[0]!;
      expect(block).toContain(`COMM ${report.comm}`);
      expect(block).toContain('STATE D');
      const task = crash.tasks.find((t) => t.pid === report.pid)!;
      expect(task.state).toBe('UN');
      const fns = crash.stacks[task.stack!]!.frames.filter((f) => f.reliable).map((f) => f.fn!.split('.')[0]);
      // Every lab frame of our stack appears in drgn's unwind of the dump.
      for (const fn of fns.filter((f) => f!.startsWith('lab_'))) expect(block).toContain(fn);
      expect(report.stuckSeconds).toBe(5);
    }
  });

  it('null-deref: the fault address, RIP and modules of the oops', () => {
    const { crash, c } = load('null-deref');
    const oops = crash.reports[c.report!]!;
    const header = oops.header.split(' ');
    expect(oops.faultAddress).toBe(BigInt(`0x${header[header.length - 1]}`));
    const bt = btA('null-deref').get(crash.system.panicCpu!)!;
    expect(`${oops.ripFunction}+${oops.ripOffset}`).toBe(bt.exceptionRip);
    // "Code: Unable to access opcode bytes at …": no bytes to report.
    expect(oops.code).toBeUndefined();
    expect(oops.modules).toContain('lab_nullderef');
  });

  it('abba-spinlock-irqoff: the Code: bytes with the faulting byte marked', () => {
    const { crash } = load('abba-spinlock-irqoff');
    const stall = crash.reports.find((r) => r.match?.rule === 'rcu-stall')!;
    const line = read('abba-spinlock-irqoff', 'vmcore-dmesg.txt')
      .split('\n')
      .find((l) => l.includes('Code: '))!;
    const tokens = line
      .slice(line.indexOf('Code: ') + 6)
      .trim()
      .split(' ');
    expect(stall.code?.bytes.length).toBe(tokens.length);
    expect(stall.code?.faultIndex).toBe(tokens.findIndex((t) => t.startsWith('<')));
    expect(stall.code?.bytes[stall.code.faultIndex!]).toBe(0xeb);
  });

  it('oom: the OOM kill is listed, the panic_on_oom panic is the headline', () => {
    const { crash, c } = load('oom');
    const oom = crash.reports.find((r) => r.informational);
    expect(oom?.match?.rule).toBe('oom-kill');
    expect(crash.reports[c.report!]!.header).toContain('Out of memory');
  });
});

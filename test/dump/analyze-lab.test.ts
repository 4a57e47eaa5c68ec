/**
 * `ktriage analyze VMCORE` on the lab's real dumps: the crash kind the lab caused (lab README's
 * scenario table) and the panic CPU crash's `bt -a` shows (the CPU whose stack holds
 * __crash_kexec), with the pid NT_PRSTATUS saved for that CPU matching crash's PID.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { loadDump } from '../../src/load/dump.js';
import { fixture, sharedPath } from '../helpers/shared.js';

// Expected kinds from the lab's scenario table: RCU-stall panic, hung-task panic, sysrq panic.
const CASES: [string, string][] = [
  ['abba-spinlock-irqoff', 'rcu-stall'],
  ['mutex-hung', 'hung-task'],
  ['sysrq-c', 'panic'],
];

function crashPanicCpu(scenario: string): { cpu: number; pid: number } {
  const text = readFileSync(fixture('lab', scenario, 'crash', 'bt-a.txt'), 'utf8');
  let current: { cpu: number; pid: number } | undefined;
  for (const line of text.split('\n')) {
    const m = /^PID: (\d+)\s+TASK: \S+\s+CPU: (\d+)/.exec(line);
    if (m) current = { pid: Number(m[1]), cpu: Number(m[2]) };
    if (/ __crash_kexec at /.test(line) && current) return current;
  }
  throw new Error(`no __crash_kexec frame in ${scenario}/crash/bt-a.txt`);
}

describe.each(CASES)('analyze lab dump %s', (scenario, kind) => {
  const vmcore = sharedPath('lab', 'corpus', scenario, 'vmcore');
  it.skipIf(!vmcore)(`diagnoses ${kind} on crash's panic CPU`, () => {
    const crash = loadDump(vmcore!);
    const diagnosis = diagnose(crash);
    expect(diagnosis.classification.kind).toBe(kind);
    const reference = crashPanicCpu(scenario);
    expect(crash.system.panicCpu).toBe(reference.cpu);
    expect(crash.cpus[reference.cpu]?.pid).toBe(reference.pid);
  });
});

/**
 * The same analyzers on the lab's kernel logs (vmcore-dmesg.txt): NMI backtraces and lockup
 * reports are all there is — no symbols, no memory. Expected facts come from the lab design
 * (README) and the logs' own lines.
 */

import { describe, expect, it } from 'vitest';
import { labFile, labLog } from './helpers.js';

describe('abba-spinlock-irqoff log: the AB-BA from the NMI backtraces alone', () => {
  const { d } = labLog('abba-spinlock-irqoff');
  const log = labFile('abba-spinlock-irqoff', 'vmcore-dmesg.txt');

  it('two spinners with IF clear, each lock from RDI', () => {
    expect(d.spinners.map((s) => [s.cpu, s.comm, s.how, s.interruptsDisabled])).toEqual([
      [1, 'lab_abba_ab/1', 'queued-spinlock', true],
      [2, 'lab_abba_ba/2', 'queued-spinlock', true],
    ]);
    for (const s of d.spinners)
      expect(log).toContain(`RDI: ${s.lockAddress!.toString(16).padStart(16, '0')}`);
  });

  it('closes the cycle and calls it a true hard lockup', () => {
    expect(d.cycles.map((c) => c.kind)).toEqual(['ab-ba']);
    expect(d.story).toContain('true hard lockup');
    expect(d.story).toContain('AB-BA deadlock');
  });
});

describe('bitlock-sched-irqoff log: three CPUs in the same loop, interrupts off', () => {
  const { d } = labLog('bitlock-sched-irqoff');

  it('sees the three spinners from the NMI backtraces (same RIP on three CPUs)', () => {
    expect(d.spinners.map((s) => [s.cpu, s.at, s.interruptsDisabled])).toEqual([
      [1, 'lab_bitlock_spin_irqoff+69', true],
      [2, 'lab_bitlock_spin_irqoff+69', true],
      [3, 'lab_bitlock_spin_irqoff+69', true],
    ]);
  });

  it('takes the task that slept in atomic context for the likely holder, and no register for the lock', () => {
    const log = labFile('bitlock-sched-irqoff', 'vmcore-dmesg.txt');
    const pid = Number(/scheduling while atomic: lab_holder\/0\/(\d+)\//.exec(log)![1]);
    expect(d.locks[0]!.holder).toMatchObject({ pid, comm: 'lab_holder/0' });
    expect(d.locks[0]!.address).toBeUndefined();
  });
});

describe('mutex-hung log: two blocked tasks, no lock addresses', () => {
  const { d } = labLog('mutex-hung');

  it('lists the two blocked tasks, not khungtaskd, and suspects the AB-BA without claiming it', () => {
    expect(d.story).toContain('2 tasks blocked');
    expect(d.story).toContain('lab_mutex_lock_pair → __mutex_lock');
    expect(d.story).not.toContain('khungtaskd');
    expect(d.story).toContain('AB-BA between them is likely');
    expect(d.cycles).toEqual([]);
  });
});

describe('abba-spinlock log: soft lockup report with the interrupted registers', () => {
  const { d } = labLog('abba-spinlock');

  it('reads the watchdog CPU’s wait from the soft lockup report', () => {
    expect(d.story).toContain('Soft lockup on CPU 1');
    expect(d.spinners).toHaveLength(1);
    expect(d.spinners[0]).toMatchObject({ cpu: 1, how: 'queued-spinlock', interruptsDisabled: false });
  });
});

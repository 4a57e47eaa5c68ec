/**
 * The same analyzers on the lab's kernel logs (vmcore-dmesg.txt): NMI backtraces and lockup
 * reports are all there is — no symbols, no memory. Expected facts come from the lab design
 * (README) and the logs' own lines.
 */

import { describe, expect, it } from 'vitest';
import { labFile, labLog, labSymbols } from './helpers.js';

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

  it('reads the bit_spin_lock loop from the NMI backtraces’ Code: bytes on all three CPUs', () => {
    expect(d.spinners.map((s) => [s.cpu, s.at, s.how, s.interruptsDisabled])).toEqual([
      [1, 'lab_bitlock_spin_irqoff+69', 'bit-spin-lock', true],
      [2, 'lab_bitlock_spin_irqoff+69', 'bit-spin-lock', true],
      [3, 'lab_bitlock_spin_irqoff+69', 'bit-spin-lock', true],
    ]);
  });

  it('names bit 3 of the RIP-relative global: lab_bitlock_word, by its offset from the RIP function', () => {
    // crash (bt -a, lock.txt) on the same dump: where the function is, where lab_bitlock_word is.
    const rip = BigInt(
      `0x${/lab_bitlock_spin_irqoff at ([0-9a-f]{16})/.exec(labFile('bitlock-sched-irqoff', 'crash', 'bt-a.txt'))![1]}`,
    );
    const word = labSymbols('bitlock-sched-irqoff').get('lab_bitlock_word')!;
    const offset = word - (rip - 69n);
    const lock = d.locks[0]!;
    expect(lock).toMatchObject({ kind: 'bit-spinlock', bit: 3, confidence: 'high' });
    expect(lock.description).toBe(
      `bit 3 of the global at lab_bitlock_spin_irqoff+0x${offset.toString(16)} (RIP-relative)`,
    );
    expect(lock.address).toBeUndefined();
    expect(lock.waiters.map((w) => w.cpu)).toEqual([1, 2, 3]);
    expect(
      lock.evidence.some((e) => e.source === 'log' && /mov\s+0x[0-9a-f]+\(%rip\)/.test(e.text ?? '')),
    ).toBe(true);
  });

  it('takes the task that slept in atomic context for the likely holder', () => {
    const log = labFile('bitlock-sched-irqoff', 'vmcore-dmesg.txt');
    const pid = Number(/scheduling while atomic: lab_holder\/0\/(\d+)\//.exec(log)![1]);
    expect(d.locks[0]!.holder).toMatchObject({ pid, comm: 'lab_holder/0', confidence: 'medium' });
    expect(d.story).toContain('bit 3 of the global at lab_bitlock_spin_irqoff+0x');
    expect(d.story).toContain('"lab_holder/0"');
  });
});

describe('pagelock-syscall-smp8 log: seven CPUs on one page bit, from the Code: bytes and RBX', () => {
  const { d } = labLog('pagelock-syscall-smp8');
  const log = labFile('pagelock-syscall-smp8', 'vmcore-dmesg.txt');
  const page = BigInt(
    /lab_pagelock_head = \$1 = \(struct page \*\) (0x[0-9a-f]+)/.exec(
      labFile('pagelock-syscall-smp8', 'crash', 'lock.txt'),
    )![1]!,
  );

  it('seven spinners with IF clear in the `pause; mov (%rbx),%rax; test $0x1,%al` loop', () => {
    expect(d.spinners.map((s) => [s.cpu, s.at, s.how, s.interruptsDisabled])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((cpu) => [cpu, 'lab_put_compound_page+85', 'bit-spin-lock', true]),
    );
    expect(d.spinners.every((s) => s.lockAddress === page)).toBe(true);
  });

  it('bit 0 of the word at the page crash printed, and the task that slept holding it', () => {
    const holder = Number(/scheduling while atomic: lab_rw\/(\d+)\//.exec(log)![1]);
    const lock = d.locks[0]!;
    expect(lock).toMatchObject({ address: page, bit: 0, kind: 'bit-spinlock' });
    expect(lock.waiters).toHaveLength(7);
    expect(lock.holder).toMatchObject({ pid: holder, comm: 'lab_rw' });
    expect(lock.holder!.reasoning.join(' ')).toContain('lab_put_compound_page');
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

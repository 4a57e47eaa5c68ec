/**
 * The lab scenarios (real Debian 6.1 dumps, crash 8.0.2 outputs) as a user would paste the crash
 * session: the right spinners, lock, holder and, for AB-BA, the cycle. Expected lock addresses
 * come from the same session's `sym` output (lock.txt), holders from the lab's design (README) and
 * drgn's task list, never from ktriage's own output.
 */

import { describe, expect, it } from 'vitest';
import { drgnTasks, labFile, labSymbols, labTranscript } from './helpers.js';

describe('abba-spinlock-irqoff: AB-BA spinlock deadlock with interrupts off', () => {
  const { d } = labTranscript('abba-spinlock-irqoff');
  const sym = labSymbols('abba-spinlock-irqoff');
  const a = sym.get('lab_lock_a')!;
  const b = sym.get('lab_lock_b')!;

  it('sees the two lab_abba threads spinning in native_queued_spin_lock_slowpath with IF clear', () => {
    const spinners = d.spinners.map((s) => [s.cpu, s.comm, s.how, s.interruptsDisabled]);
    expect(spinners).toEqual([
      [1, 'lab_abba_ab/1', 'queued-spinlock', true],
      [2, 'lab_abba_ba/2', 'queued-spinlock', true],
    ]);
  });

  it('reads each wanted lock from the spin loop (the log’s Code: bytes, RBX) and names it through sym', () => {
    const ab = d.spinners.find((s) => s.comm === 'lab_abba_ab/1')!;
    const ba = d.spinners.find((s) => s.comm === 'lab_abba_ba/2')!;
    // lab_abba_ab takes A then B, so it waits for B; lab_abba_ba the reverse (lab README).
    expect(ab.lockAddress).toBe(b);
    expect(ba.lockAddress).toBe(a);
    const lockB = d.locks.find((l) => l.address === b)!;
    expect(lockB.description).toBe('spinlock lab_lock_b [lab_abba]');
    expect(lockB.confidence).toBe('high');
    // The log's NMI backtrace printed the loop's bytes; crash's bt gave the RIP's address.
    expect(lockB.reasoning.join('\n')).toContain('`mov (%rbx),%eax` reads the lock word');
    expect(lockB.reasoning.join('\n')).toContain(`RBX = ${b.toString(16).padStart(16, '0')}`);
    expect(lockB.reasoning.join('\n')).toContain('`p lab_lock_b`: val 1 (locked');
  });

  it('closes the AB-BA cycle from the callee-saved register that keeps the first lock', () => {
    expect(d.cycles).toHaveLength(1);
    const c = d.cycles[0]!;
    expect(c.kind).toBe('ab-ba');
    expect(c.edges.map((e) => [e.party.comm, e.holds.split(' (')[0], e.waitsFor.split(',')[0]])).toEqual([
      ['lab_abba_ab/1', 'spinlock lab_lock_a [lab_abba]', 'spinlock lab_lock_b [lab_abba]'],
      ['lab_abba_ba/2', 'spinlock lab_lock_b [lab_abba]', 'spinlock lab_lock_a [lab_abba]'],
    ]);
    expect(c.edges[0]!.holds).toContain('RBP');
  });

  it('tells it as a true hard lockup caught by the RCU stall detector', () => {
    expect(d.classification.kind).toBe('rcu-stall');
    expect(d.story).toContain('true hard lockup');
    expect(d.story).toContain('AB-BA deadlock');
  });
});

describe('abba-spinlock: the soft-lockup flavour (interrupts on)', () => {
  const { d } = labTranscript('abba-spinlock');
  const sym = labSymbols('abba-spinlock');

  it('finds lab_abba_ba spinning on lab_lock_a and holding lab_lock_b (RBP)', () => {
    const lockA = d.locks.find((l) => l.address === sym.get('lab_lock_a'))!;
    expect(lockA.waiters.map((w) => w.comm)).toEqual(['lab_abba_ba/2']);
    const lockB = d.locks.find((l) => l.address === sym.get('lab_lock_b'))!;
    expect(lockB.holder?.comm).toBe('lab_abba_ba/2');
    expect(lockB.holder?.reasoning[0]).toContain('RBP');
  });

  it('reads the watchdog CPU from the log’s soft-lockup report (crash’s bt stops at the IRQ stack) and closes the AB-BA', () => {
    const bt = labFile('abba-spinlock', 'crash', 'bt-a.txt');
    expect(bt).toContain('WARNING: possibly bogus exception frame');
    const ab = d.spinners.find((s) => s.comm === 'lab_abba_ab/1')!;
    expect(ab).toMatchObject({ cpu: 1, how: 'queued-spinlock', interruptsDisabled: false });
    expect(ab.lockAddress).toBe(sym.get('lab_lock_b'));
    expect(d.cycles).toHaveLength(1);
    expect(d.cycles[0]!.edges.map((e) => e.party.comm)).toEqual(['lab_abba_ab/1', 'lab_abba_ba/2']);
    expect(d.story).toContain('Soft lockup on CPU 1');
    expect(d.story).toContain('AB-BA deadlock');
  });
});

describe('bitlock-sched-irqoff: bit_spin_lock held by a sleeping task, spinners with interrupts off', () => {
  const { d } = labTranscript('bitlock-sched-irqoff');
  const holder = drgnTasks('bitlock-sched-irqoff').find((t) => t.comm === 'lab_holder/0')!;

  it('has the three spinners, IF clear, caught at the same instruction', () => {
    expect(d.spinners.map((s) => [s.cpu, s.comm, s.at, s.interruptsDisabled])).toEqual([
      [1, 'lab_spinner/1', 'lab_bitlock_spin_irqoff+69', true],
      [2, 'lab_spinner/2', 'lab_bitlock_spin_irqoff+69', true],
      [3, 'lab_spinner/3', 'lab_bitlock_spin_irqoff+69', true],
    ]);
  });

  it('reads bit 3 of lab_bitlock_word from the loop in the log’s Code: bytes, not from a register the spinners share', () => {
    const lock = d.locks[0]!;
    const word = labSymbols('bitlock-sched-irqoff').get('lab_bitlock_word')!;
    expect(lock).toMatchObject({ kind: 'bit-spinlock', bit: 3, address: word, confidence: 'high' });
    expect(lock.description).toBe('bit 3 of the word at lab_bitlock_word [lab_bitlock]');
    expect(lock.reasoning[0]).toContain('RIP-relative operand');
    expect(lock.reasoning[0]).toContain('Code: bytes');
    // RBX is the same on all three spinners, and is not the word.
    const rbx = /RBX: ([0-9a-f]{16})/.exec(labFile('bitlock-sched-irqoff', 'vmcore-dmesg.txt'))![1]!;
    expect(BigInt(`0x${rbx}`)).not.toBe(word);
  });

  it('names lab_holder/0 (sleeping with the bit, per the lab design and drgn) as the likely holder', () => {
    expect(holder.state).toBe('D');
    expect(d.locks[0]!.holder).toMatchObject({ pid: holder.pid, comm: 'lab_holder/0' });
    expect(d.locks[0]!.holder!.reasoning[0]).toContain('scheduling while atomic');
  });
});

describe('bitlock-sched: soft lockup, spinners with interrupts on', () => {
  const { d } = labTranscript('bitlock-sched');
  const holder = drgnTasks('bitlock-sched').find((t) => t.comm === 'lab_holder/0')!;

  it('counts the watchdog CPU among the spinners through crash’s doubted IRQ frame', () => {
    expect(d.spinners.map((s) => s.cpu)).toEqual([1, 2, 3]);
    expect(d.spinners.every((s) => s.at.startsWith('lab_bitlock_spin+'))).toBe(true);
    expect(d.story).toContain('Soft lockup on CPU 1');
  });

  it('names lab_holder/0 as the likely holder, not a spinner', () => {
    expect(d.locks[0]!.holder).toMatchObject({ pid: holder.pid, comm: 'lab_holder/0' });
  });
});

describe('mutex-hung: AB-BA on two mutexes, reported by the hung-task detector', () => {
  const { d } = labTranscript('mutex-hung');
  const sym = labSymbols('mutex-hung');
  const tasks = drgnTasks('mutex-hung');

  it('reads each mutex’s owner from its owner field (flags masked) — the task drgn lists for it', () => {
    const a = d.locks.find((l) => l.address === sym.get('lab_mutex_a'))!;
    const b = d.locks.find((l) => l.address === sym.get('lab_mutex_b'))!;
    // lab_mutex_ab holds A and wants B; lab_mutex_ba the reverse (lab README, module log).
    expect(a.holder?.task).toBe(tasks.find((t) => t.comm === 'lab_mutex_ab')!.task);
    expect(b.holder?.task).toBe(tasks.find((t) => t.comm === 'lab_mutex_ba')!.task);
    expect(a.holder?.confidence).toBe('high');
    expect(labFile('mutex-hung', 'crash', 'lock.txt')).toContain('counter = -125451031314431');
  });

  it('sees both wait lists non-empty and asks crash for the waiters and owners', () => {
    for (const l of d.locks) expect(l.reasoning.join('\n')).toContain('wait list is not empty');
    const commands = d.nextSteps.map((s) => s.command);
    expect(commands.some((c) => c.startsWith('struct mutex_waiter '))).toBe(true);
    expect(commands.some((c) => c.startsWith('struct task_struct.pid,comm'))).toBe(true);
    expect(d.classification.kind).toBe('hung-task');
  });
});

describe('scenarios without lock contention', () => {
  for (const scenario of ['sysrq-c', 'null-deref', 'oom']) {
    it(`${scenario}: no spinner, lock or cycle is invented`, () => {
      const { d } = labTranscript(scenario);
      expect(d.spinners).toEqual([]);
      expect(d.locks).toEqual([]);
      expect(d.cycles).toEqual([]);
    });
  }

  it('softlockup: the stuck CPU 1 in lab_softlockup_busy_loop, no lock', () => {
    const { d } = labTranscript('softlockup');
    expect(d.classification.kind).toBe('soft-lockup');
    expect(d.story).toContain('Soft lockup on CPU 1');
    expect(d.story).toContain('lab_softlockup_busy_loop');
    expect(d.locks).toEqual([]);
  });
});

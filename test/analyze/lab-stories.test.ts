/**
 * The stories on the lab's own vmcores (../labdata, made by lab/: each scenario's design in
 * /work/labdata/README.md), checked against drgn's task list and crash's symbol lines of the same
 * dump. Skipped when the lab data is absent.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import type { Diagnosis } from '../../src/analyze/results.js';
import { loadInput } from '../../src/load/load.js';
import { labPath } from '../helpers/lab.js';
import { sharedPath } from '../helpers/shared.js';

const dump = (scenario: string) => labPath('corpus', scenario, 'vmcore');

function drgn(scenario: string): { pid: number; comm: string; state: string }[] {
  const text = readFileSync(labPath('corpus', scenario, 'drgn-tasks.txt')!, 'utf8');
  return [...text.matchAll(/^PID (\d+)\s+COMM (\S+)\s+STATE (\S+)/gm)].map((m) => ({
    pid: Number(m[1]),
    comm: m[2]!,
    state: m[3]!,
  }));
}

async function analyze(path: string): Promise<Diagnosis> {
  return diagnose(await loadInput(path));
}

describe.skipIf(!dump('bitlock-sched'))('bitlock-sched vmcore', () => {
  it('names the spinners, bit 3 of lab_bitlock_word and the holder that slept with it', async () => {
    const d = await analyze(dump('bitlock-sched')!);
    const tasks = drgn('bitlock-sched');
    const spinners = tasks.filter((t) => t.comm.startsWith('lab_spinner/'));
    const holder = tasks.find((t) => t.comm === 'lab_holder/0')!;
    const word = BigInt(
      `0x${/^([0-9a-f]{16}) \(B\) lab_bitlock_word/m.exec(readFileSync(labPath('corpus', 'bitlock-sched', 'crash', 'lock.txt')!, 'utf8'))![1]}`,
    );
    expect(d.spinners.map((s) => s.pid).sort()).toEqual(spinners.map((t) => t.pid).sort());
    const lock = d.locks[0]!;
    expect(lock).toMatchObject({ address: word, bit: 3, kind: 'bit-spinlock' });
    expect(lock.description).toContain('lab_bitlock_word');
    expect(lock.holder).toMatchObject({ pid: holder.pid, comm: 'lab_holder/0', confidence: 'medium' });
    expect(d.story).toContain('bit 3 of the word at lab_bitlock_word');
    expect(d.story).toContain('scheduling while atomic');
    // The spinner caught under a timer interrupt groups with the others.
    expect(d.stackGroups[0]!.members.map((m) => m.pid).sort()).toEqual(spinners.map((t) => t.pid).sort());
  }, 60_000);
});

describe.skipIf(!dump('pagelock-syscall-smp8'))('pagelock-syscall-smp8 vmcore', () => {
  it('7 CPUs with IF clear on PG_locked of a compound page; the holder asleep in D state in write(2)', async () => {
    const d = await analyze(dump('pagelock-syscall-smp8')!);
    const tasks = drgn('pagelock-syscall-smp8');
    const holder = tasks.find((t) => t.comm === 'lab_rw' && t.state === 'D')!;
    const lock = d.locks[0]!;
    expect(d.spinners.map((s) => [s.cpu, s.interruptsDisabled])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((cpu) => [cpu, true]),
    );
    expect(lock).toMatchObject({ kind: 'page-bit-lock', bit: 0 });
    // Linux 6.1: free_compound_page is a plain compound page's destructor, THPs have their own.
    expect(lock.description).toMatch(/^PG_locked \(bit 0\) of compound head page /);
    expect(lock.holder).toMatchObject({ pid: holder.pid, state: 'UN' });
    expect(d.story).toContain(`pid ${holder.pid} "lab_rw" (D state, in write(2)`);
    // lab_get_page_key does local_irq_save() before calling the spinning function.
    expect(d.findings.find((f) => f.id === 'irq/disabled')?.message).toContain('`cli`');
    expect(d.findings.find((f) => f.id === 'irq/disabled')?.message).toContain('lab_get_page_key');
  }, 60_000);
});

describe.skipIf(!dump('softlockup'))('softlockup vmcore', () => {
  it('an endless loop: spinning, but on no lock', async () => {
    const d = await analyze(dump('softlockup')!);
    expect(d.spinners.map((s) => [s.cpu, s.how])).toEqual([[1, 'endless-loop']]);
    expect(d.locks).toEqual([]);
    expect(d.story).toContain('endless loop with no exit condition');
  }, 60_000);
});

const abba = sharedPath('lab', 'corpus', 'abba-spinlock-irqoff', 'vmcore');

describe.skipIf(!abba)('stack groups of abba-spinlock-irqoff', () => {
  it('the spinners first, then by count; the scheduler’s sleepers and idle CPUs last, marked background', async () => {
    const groups = (await analyze(abba!)).stackGroups;
    expect(groups.slice(0, 2).map((g) => g.functions[0])).toEqual([
      'native_queued_spin_lock_slowpath',
      'native_queued_spin_lock_slowpath',
    ]);
    const firstBackground = groups.findIndex((g) => g.background);
    expect(groups.slice(firstBackground).every((g) => g.background)).toBe(true);
    const sleeping = groups.filter((g) => g.background === 'sleeping');
    expect(sleeping.map((g) => g.count)).toEqual([...sleeping.map((g) => g.count)].sort((a, b) => b - a));
    expect(sleeping[0]).toMatchObject({ waitsIn: 'worker_thread' });
  }, 60_000);
});

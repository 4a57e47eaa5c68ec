/**
 * The analyzers unchanged on the lab vmcores (../shared/lab/corpus/*\/vmcore): the model is filled
 * from memory (tasks, ORC stacks, the spin loops' words, the mutexes blocked tasks wait for), and
 * the story must match the lab design — the AB-BA pairs, with owners and waiters. Skipped when
 * ../shared is absent.
 */

import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { loadInput } from '../../src/load/load.js';
import { sharedPath } from '../helpers/shared.js';
import { drgnTasks, labSymbols } from './helpers.js';

const abba = sharedPath('lab', 'corpus', 'abba-spinlock-irqoff', 'vmcore');
const mutex = sharedPath('lab', 'corpus', 'mutex-hung', 'vmcore');

describe.skipIf(!abba)('abba-spinlock-irqoff vmcore', () => {
  it('finds the two spinlocks by name, the waiters and the AB-BA', async () => {
    const d = diagnose(await loadInput(abba!));
    const sym = labSymbols('abba-spinlock-irqoff');
    const byAddress = new Map(d.locks.map((l) => [l.address, l]));
    expect(byAddress.get(sym.get('lab_lock_b'))?.waiters.map((w) => w.comm)).toEqual(['lab_abba_ab/1']);
    expect(byAddress.get(sym.get('lab_lock_a'))?.waiters.map((w) => w.comm)).toEqual(['lab_abba_ba/2']);
    expect(d.cycles.map((c) => c.kind)).toEqual(['ab-ba']);
    expect(d.spinners.every((s) => s.interruptsDisabled)).toBe(true);
  }, 60_000);
});

describe.skipIf(!mutex)('mutex-hung vmcore', () => {
  it('reads both mutexes with owners and waiters from memory and closes the AB-BA', async () => {
    const d = diagnose(await loadInput(mutex!));
    const tasks = drgnTasks('mutex-hung');
    const ab = tasks.find((t) => t.comm === 'lab_mutex_ab')!;
    const ba = tasks.find((t) => t.comm === 'lab_mutex_ba')!;
    const sym = labSymbols('mutex-hung');
    const a = d.locks.find((l) => l.address === sym.get('lab_mutex_a'))!;
    const b = d.locks.find((l) => l.address === sym.get('lab_mutex_b'))!;
    expect(a.holder).toMatchObject({ pid: ab.pid, task: ab.task });
    expect(b.holder).toMatchObject({ pid: ba.pid, task: ba.task });
    expect(a.waiters.map((w) => w.pid)).toEqual([ba.pid]);
    expect(b.waiters.map((w) => w.pid)).toEqual([ab.pid]);
    expect(d.cycles.map((c) => c.kind)).toEqual(['ab-ba']);
    expect(d.story).toContain('AB-BA deadlock');
  }, 60_000);
});

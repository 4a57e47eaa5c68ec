/**
 * The analyzers written for crash transcripts, run unchanged on the model filled from a vmcore:
 * the lock scenarios must name the lock address, its waiters, its holder and the AB-BA cycle that
 * crash's `lock.txt`, `bt -a` and drgn's task list show (see the lab README for who takes what).
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { loadDump } from '../../src/load/dump.js';
import { labPath } from '../helpers/lab.js';
import { sharedPath } from '../helpers/shared.js';

function dumpOf(scenario: string): string | undefined {
  return sharedPath('lab', 'corpus', scenario, 'vmcore') ?? labPath('corpus', scenario, 'vmcore');
}

function symbolsOf(lockTxt: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const m of lockTxt.matchAll(/^([0-9a-f]{16}) \(\w\) (\w+)/gm)) out.set(m[2]!, BigInt(`0x${m[1]}`));
  return out;
}

/** pid of a comm in drgn's task list. */
function pidOf(dir: string, comm: string): number {
  const text = readFileSync(join(dir, 'drgn-tasks.txt'), 'utf8');
  return Number(new RegExp(`^PID (\\d+)\\s+COMM ${comm.replace('/', '\\/')}\\s`, 'm').exec(text)![1]);
}

for (const scenario of ['abba-spinlock-irqoff', 'abba-spinlock']) {
  const path = dumpOf(scenario);
  describe.skipIf(!path)(`analyze ${scenario} (vmcore)`, () => {
    it('names both spinlocks, each waiter, each holder and the AB-BA cycle', () => {
      const dir = dirname(path!);
      const syms = symbolsOf(readFileSync(join(dir, 'crash', 'lock.txt'), 'utf8'));
      const ab = pidOf(dir, 'lab_abba_ab/1');
      const ba = pidOf(dir, 'lab_abba_ba/2');
      const d = diagnose(loadDump(path!, { kernel: true }));
      // lab_abba_ab takes a then b: it holds a and waits for b; lab_abba_ba the reverse.
      for (const [lock, waiter, holder] of [
        ['lab_lock_b', ab, ba],
        ['lab_lock_a', ba, ab],
      ] as const) {
        const found = d.locks.find((l) => l.address === syms.get(lock));
        expect(found, lock).toBeDefined();
        expect(found!.description).toContain(lock);
        expect(found!.waiters.map((w) => w.pid)).toEqual([waiter]);
        expect(found!.holder?.pid).toBe(holder);
      }
      expect(d.cycles.map((c) => c.kind)).toEqual(['ab-ba']);
      expect(new Set(d.cycles[0]!.edges.map((e) => e.party.pid))).toEqual(new Set([ab, ba]));
    });
  });
}

{
  const path = dumpOf('mutex-hung');
  describe.skipIf(!path)('analyze mutex-hung (vmcore)', () => {
    it('names both mutexes, owner and waiter of each, and the AB-BA cycle between the two threads', () => {
      const dir = dirname(path!);
      const syms = symbolsOf(readFileSync(join(dir, 'crash', 'lock.txt'), 'utf8'));
      const ab = pidOf(dir, 'lab_mutex_ab');
      const ba = pidOf(dir, 'lab_mutex_ba');
      const d = diagnose(loadDump(path!, { kernel: true }));
      for (const [lock, waiter, holder] of [
        ['lab_mutex_a', ba, ab],
        ['lab_mutex_b', ab, ba],
      ] as const) {
        const found = d.locks.find((l) => l.address === syms.get(lock));
        expect(found, lock).toBeDefined();
        expect(found!.kind).toBe('mutex');
        expect(found!.waiters.map((w) => w.pid)).toEqual([waiter]);
        expect(found!.holder?.pid).toBe(holder);
        expect(found!.holder?.confidence).toBe('high');
      }
      expect(d.cycles.map((c) => c.kind)).toEqual(['ab-ba']);
      expect(new Set(d.cycles[0]!.edges.map((e) => e.party.pid))).toEqual(new Set([ab, ba]));
    });
  });
}

/** drgn's tasks of a comm: pid, state letter and CPU. */
function drgnTasks(dir: string, comm: RegExp): { pid: number; state: string; cpu: number }[] {
  const text = readFileSync(join(dir, 'drgn-tasks.txt'), 'utf8');
  const out: { pid: number; state: string; cpu: number }[] = [];
  for (const m of text.matchAll(/^PID (\d+)\s+COMM (\S+)\s+STATE (\S)\s+CPU (\d+)/gm)) {
    if (comm.test(m[2]!)) out.push({ pid: Number(m[1]), state: m[3]!, cpu: Number(m[4]) });
  }
  return out;
}

for (const scenario of ['bitlock-sched', 'bitlock-sched-irqoff']) {
  const path = labPath('corpus', scenario, 'vmcore');
  describe.skipIf(!path)(`analyze ${scenario} (vmcore)`, () => {
    it('names bit 3 of lab_bitlock_word, every spinner, and lab_holder/0 that slept holding it', () => {
      const dir = dirname(path!);
      const word = symbolsOf(readFileSync(join(dir, 'crash', 'lock.txt'), 'utf8')).get('lab_bitlock_word');
      const spinners = drgnTasks(dir, /^lab_spinner\//).map((t) => t.pid);
      const holder = drgnTasks(dir, /^lab_holder\//)[0]!;
      expect(holder.state).toBe('D');
      const d = diagnose(loadDump(path!, { kernel: true }));
      const lock = d.locks.find((l) => l.address === word);
      expect(lock).toBeDefined();
      expect(lock!.bit).toBe(3);
      expect(lock!.waiters.map((w) => w.pid).sort()).toEqual(spinners.sort());
      expect(lock!.holder?.pid).toBe(holder.pid);
    });
  });
}

{
  const path = labPath('corpus', 'pagelock-syscall-smp8', 'vmcore');
  describe.skipIf(!path)('analyze pagelock-syscall-smp8 (vmcore)', () => {
    it('names PG_locked of lab_pagelock_head, the seven spinners and the sleeping lab_rw on CPU 0', () => {
      const dir = dirname(path!);
      const lockTxt = readFileSync(join(dir, 'crash', 'lock.txt'), 'utf8');
      const head = BigInt(/lab_pagelock_head = \$1 = \(struct page \*\) (0x[0-9a-f]+)/.exec(lockTxt)![1]!);
      const rw = drgnTasks(dir, /^lab_rw$/);
      const holder = rw.find((t) => t.state === 'D')!;
      const spinners = rw.filter((t) => t.state === 'R').map((t) => t.pid);
      const d = diagnose(loadDump(path!, { kernel: true }));
      const lock = d.locks.find((l) => l.address === head);
      expect(lock).toBeDefined();
      expect(lock!.kind).toBe('page-bit-lock');
      expect(lock!.description).toContain('PG_locked');
      expect(lock!.waiters.map((w) => w.pid).sort()).toEqual(spinners.sort());
      expect(lock!.holder?.pid).toBe(holder.pid);
    });
  });
}

/**
 * Precision of the spinner / lock analyzers on real syzkaller console logs: the CPU that prints a
 * report, an oops' own trace, a preempted task and a task dump are not spinning; the CPUs the
 * titles blame (`stall in smp_call_function`) and those the log shows in a lock slow path are.
 * Expected facts come from each file's TITLE and its own register lines.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCorpus, parseCorpusFile } from '../../eval/corpus.js';
import { diagnose } from '../../src/analyze/diagnose.js';
import { parseConsoleLog } from '../../src/text/console/index.js';
import { fixture } from '../helpers/shared.js';

function corpus(name: string) {
  const entry = parseCorpusFile(name, readFileSync(fixture('syzkaller', name), 'latin1'));
  const d = diagnose(parseConsoleLog(entry.log, { path: name, format: 'console-log' }));
  return { entry, d };
}

describe('no spinner where nothing spins', () => {
  it('235 (task hung): the CPU printing NMI backtraces and the hung task are not spinning', () => {
    const { entry, d } = corpus('235');
    expect(entry.title).toMatch(/^INFO: task hung/);
    expect(d.spinners).toEqual([]);
    expect(d.locks).toEqual([]);
  });

  it('523 (RCU expedited stall): the detector’s own sched_show_task stack is no busy loop', () => {
    const { d } = corpus('523');
    expect(d.spinners).toEqual([]);
    expect(d.locks).toEqual([]);
  });

  it('479 (two page faults at one instruction): oops traces are not CPUs caught spinning', () => {
    const { entry, d } = corpus('479');
    expect(entry.title).toMatch(/^BUG: unable to handle/);
    expect(d.spinners).toEqual([]);
  });

  it('612 (RCU stall): tasks preempted at the same lock_acquire return are scheduled out, not spinning', () => {
    const { d } = corpus('612');
    expect(d.spinners).toEqual([]);
  });

  it('146, 736 (page faults inside lock code): a fault in lockdep or do_raw_spin_lock is no wait', () => {
    for (const name of ['146', '736']) expect(corpus(name).d.spinners).toEqual([]);
  });
});

describe('spinners the logs do show', () => {
  it('502: one CPU waits for a cross-CPU call, counted once though the log prints its trace twice', () => {
    const { entry, d } = corpus('502');
    expect(entry.title).toBe('INFO: rcu detected stall in smp_call_function');
    expect(d.spinners.map((s) => [s.cpu, s.how, s.at.replace(/\+\d+$/, '')])).toEqual([
      [1, 'csd-lock-wait', 'smp_call_function_single'],
    ]);
    expect(d.locks.map((l) => l.kind)).toEqual(['csd']);
  });

  it('288: the wait is named by its loop, not by the kcov callback it was caught in', () => {
    const { entry, d } = corpus('288');
    expect(entry.title).toBe('BUG: soft lockup in smp_call_function');
    expect(d.spinners).toHaveLength(1);
    expect(d.spinners[0]).toMatchObject({ cpu: 0, how: 'csd-lock-wait' });
    expect(d.spinners[0]!.at).toMatch(/^smp_call_function_single\+\d+$/);
    expect(d.story).not.toContain('__sanitizer_cov');
  });

  it('421: the detecting CPU’s interrupted context spins on the spinlock its RDI names', () => {
    const { entry, d } = corpus('421');
    const after = entry.log.slice(entry.log.indexOf('RIP: 0010:native_queued_spin_lock_slowpath'));
    const rdi = /RDI: ([0-9a-f]{16})/.exec(after)![1]!;
    expect(d.spinners.map((s) => [s.cpu, s.how])).toEqual([[1, 'queued-spinlock']]);
    expect(d.locks[0]).toMatchObject({ kind: 'spinlock', address: BigInt(`0x${rdi}`) });
  });

  it('503: the csd the loop reads, from the log’s Code: bytes and registers', () => {
    const { d } = corpus('503');
    expect(d.spinners.map((s) => [s.cpu, s.how])).toEqual([[0, 'csd-lock-wait']]);
    const lock = d.locks[0]!;
    expect(lock.kind).toBe('csd');
    expect(lock.reasoning.join(' ')).toContain('Code: bytes');
  });
});

describe('logs without a crash', () => {
  it('match no known bug and show no spinner (the corpus’ no-crash files)', () => {
    const quiet = loadCorpus(fixture('syzkaller')).filter((e) => e.title === undefined);
    expect(quiet.length).toBeGreaterThan(10);
    for (const e of quiet) {
      const d = diagnose(parseConsoleLog(e.log, { path: e.name, format: 'console-log' }));
      expect([e.name, d.knownIssues.map((k) => k.id), d.spinners.length]).toEqual([e.name, [], 0]);
    }
  });
});

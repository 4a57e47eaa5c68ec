/**
 * The README's examples, checked against their references: the seed write-up's conclusions, the
 * lab's crash `lock.txt`/`sym` outputs and drgn's task list. What ktriage prints must agree with
 * what the expert and the reference tools found.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { loadInput } from '../../src/load/load.js';
import { fixture, repoRoot } from '../helpers/shared.js';

const example = (name: string) => `${repoRoot}/examples/${name}`;

describe('examples/', () => {
  it('the founding case transcript: hard lockup on CPU 10, PG_compound_lock of ffffea0123300000, holder 24194, fix ddc58f27f9ee', async () => {
    const crash = await loadInput(example('rhel7-hardlockup-put_compound_page.crash.txt'));
    const d = diagnose(crash);
    expect(crash.input.format).toBe('crash-transcript');
    expect(d.classification.kind).toBe('hard-lockup');
    expect(d.classification.panic?.cpu).toBe(10);
    const lock = d.locks.find((l) => l.address === 0xffffea0123300000n);
    expect(lock?.description).toMatch(/PG_compound_lock/);
    expect(lock?.holder?.pid).toBe(24194);
    expect(d.knownIssues[0]?.fix?.commit.startsWith('ddc58f27f9ee')).toBe(true);
  });

  it('the AB-BA log: both lab spinlocks in a cycle, at the addresses crash’s `sym` gives', async () => {
    const crash = await loadInput(example('abba-spinlock-irqoff.vmcore-dmesg.txt'));
    const d = diagnose(crash);
    expect(d.classification.kind).toBe('rcu-stall');
    const sym = readFileSync(fixture('lab', 'abba-spinlock-irqoff', 'crash', 'lock.txt'), 'utf8');
    const addresses = [...sym.matchAll(/^([0-9a-f]{16}) \(B\) lab_lock_[ab]/gm)].map((m) =>
      BigInt(`0x${m[1]}`),
    );
    expect(addresses).toHaveLength(2);
    const cycleLocks = new Set(d.locks.filter((l) => l.address !== undefined).map((l) => l.address));
    for (const a of addresses) expect(cycleLocks.has(a)).toBe(true);
    expect(d.cycles.length).toBeGreaterThan(0);
  });

  it('the shrunk vmcore: 7 spinners on the page crash’s lock.txt names, holder = the D-state task drgn lists', async () => {
    const crash = await loadInput(example('pagelock-smp8.vmcore'));
    const d = diagnose(crash);
    const lockTxt = readFileSync(fixture('lab', 'pagelock-syscall-smp8', 'crash', 'lock.txt'), 'utf8');
    const head = BigInt(/lab_pagelock_head = \$1 = \(struct page \*\) (0x[0-9a-f]+)/.exec(lockTxt)![1]!);
    const drgn = readFileSync(fixture('lab', 'pagelock-syscall-smp8', 'drgn-tasks.txt'), 'utf8');
    const blocked = /PID (\d+)\s+COMM lab_rw\s+STATE D/.exec(drgn)![1];
    const lock = d.locks.find((l) => l.address === head);
    expect(lock?.waiters).toHaveLength(7);
    expect(lock?.holder?.pid).toBe(Number(blocked));
    expect(crash.tasks.length).toBeGreaterThan(60);
    // Every CPU in one line: the seven waiters spin on that page's bit, the panic CPU says so.
    const cpus = d.cpuActivity ?? [];
    expect(cpus.map((c) => c.cpu)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const spinning = cpus.filter((c) => c.doing === 'spinning');
    expect(spinning.map((c) => c.pid).sort()).toEqual(lock!.waiters.map((w) => w.pid).sort());
    for (const c of spinning) expect(c.note).toContain(`waits for ${lock!.description}`);
    expect(cpus.find((c) => c.cpu === crash.system.panicCpu)?.note).toMatch(/^panicked: RCU Stall/);
  });

  it('the OOM log: the task the log’s own table shows as biggest took the memory; panic_on_oom', async () => {
    const text = readFileSync(example('oom-panic.vmcore-dmesg.txt'), 'utf8');
    const d = diagnose(await loadInput(example('oom-panic.vmcore-dmesg.txt')));
    const rows = [...text.matchAll(/\] \[\s*(\d+)\]\s+\d+\s+\d+\s+\d+\s+(\d+)\s+\d+\s+\d+\s+-?\d+ (\S+)/g)];
    const biggest = rows.sort((a, b) => Number(b[2]) - Number(a[2]))[0]!;
    expect(d.classification.kind).toBe('oom');
    expect(d.oom?.[0]?.cause).toBe('task');
    expect(d.story).toContain(`${biggest[3]} (pid ${biggest[1]})`);
    expect(d.story).toContain('panic_on_oom');
  });

  it('the oops log: a write to NULL + 8, as lab_nullderef.c does (w->counter at offset 8)', async () => {
    const d = diagnose(await loadInput(example('null-deref.vmcore-dmesg.txt')));
    expect(d.classification.kind).toBe('null-deref');
    expect(d.faults?.[0]).toMatchObject({ address: 8n, addressKind: 'null', access: 'write' });
  });
});

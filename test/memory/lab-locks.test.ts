/**
 * What memory tells about the lock scenarios of the lab dumps, checked against the references made
 * with crash and drgn from the debug vmlinux: `crash/lock.txt` (`p lab_lock_a`, `p lab_mutex_a`,
 * `sym`, `p/x lab_bitlock_word`, the page of pagelock), `crash/bt-a.txt` (who runs where) and
 * `drgn-tasks.txt` (task addresses). Skips when the dumps are absent.
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadedDump, loadDumpDetailed } from '../../src/load/dump.js';
import { labPath } from '../helpers/lab.js';
import { sharedPath } from '../helpers/shared.js';

function dumpOf(scenario: string): string | undefined {
  return sharedPath('lab', 'corpus', scenario, 'vmcore') ?? labPath('corpus', scenario, 'vmcore');
}

/** `ffffffffc04f93c4 (B) lab_lock_a [lab_abba]` lines of lock.txt. */
function symbolsOf(lockTxt: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const m of lockTxt.matchAll(/^([0-9a-f]{16}) \(\w\) (\w+)/gm)) out.set(m[2]!, BigInt(`0x${m[1]}`));
  return out;
}

/** `name = $1 = { … }` blocks of lock.txt: the value of the first `counter =` and `next =` in each. */
function printed(lockTxt: string, name: string): { counter?: bigint; next?: bigint } {
  const start = lockTxt.indexOf(`${name} = $`);
  if (start < 0) return {};
  const rest = lockTxt.slice(start);
  const end = rest.indexOf('\n}\n');
  const block = end < 0 ? rest : rest.slice(0, end);
  const counter = /counter = (-?\d+)/.exec(block)?.[1];
  const next = /next = (0x[0-9a-f]+)/.exec(block)?.[1];
  return {
    ...(counter !== undefined ? { counter: BigInt.asUintN(64, BigInt(counter)) } : {}),
    ...(next !== undefined ? { next: BigInt(next) } : {}),
  };
}

function drgnTask(dir: string, comm: string): bigint | undefined {
  const text = readFileSync(join(dir, 'drgn-tasks.txt'), 'utf8');
  const m = new RegExp(`COMM ${comm}\\s+STATE \\S+\\s+CPU \\d+\\s+TASK (0x[0-9a-f]+)`).exec(text);
  return m ? BigInt(m[1]!) : undefined;
}

const cache = new Map<string, LoadedDump>();
function load(path: string): LoadedDump {
  let d = cache.get(path);
  if (!d) {
    d = loadDumpDetailed(path, { kernel: true });
    cache.set(path, d);
  }
  return d;
}

for (const scenario of ['abba-spinlock-irqoff', 'abba-spinlock']) {
  const path = dumpOf(scenario);
  describe.skipIf(!path)(`${scenario}: the spinlocks two CPUs spin on`, () => {
    it('names each waiter’s lock from its spin loop, with the value crash printed', () => {
      const dir = dirname(path!);
      const lockTxt = readFileSync(join(dir, 'crash', 'lock.txt'), 'utf8');
      const syms = symbolsOf(lockTxt);
      const { crash, enriched } = load(path!);
      const targets = enriched!.spinTargets;
      expect(targets.length).toBe(2);
      for (const { cpu, target } of targets) {
        const comm = crash.cpus.find((c) => c.id === cpu)?.comm ?? '';
        // lab_abba_ab takes lab_lock_a then lab_lock_b (lab/README): it waits for b; ba the reverse.
        const want = comm.startsWith('lab_abba_ab') ? 'lab_lock_b' : 'lab_lock_a';
        expect(comm).toMatch(/^lab_abba_(ab|ba)/);
        expect(target.address).toBe(syms.get(want));
        expect(target.load.fn).toBe('native_queued_spin_lock_slowpath');
        const dump = crash.structs.find((s) => s.address === target.address)!;
        expect(dump.expression).toBe(want);
        expect(BigInt(dump.fields['val.counter']!)).toBe(printed(lockTxt, want).counter);
      }
    });
  });
}

{
  const path = dumpOf('mutex-hung');
  describe.skipIf(!path)('mutex-hung: the two mutexes from the waiters on the blocked tasks’ stacks', () => {
    it('finds lab_mutex_a and lab_mutex_b with the owner and wait list crash printed', () => {
      const dir = dirname(path!);
      const lockTxt = readFileSync(join(dir, 'crash', 'lock.txt'), 'utf8');
      const syms = symbolsOf(lockTxt);
      const { crash, enriched } = load(path!);
      const ab = drgnTask(dir, 'lab_mutex_ab');
      const ba = drgnTask(dir, 'lab_mutex_ba');
      for (const [name, owner, waiter] of [
        ['lab_mutex_a', ab, ba],
        ['lab_mutex_b', ba, ab],
      ] as const) {
        const lock = enriched!.sleepingLocks.find((l) => l.address === syms.get(name))!;
        expect(lock, name).toBeDefined();
        expect(lock.kind).toBe('mutex');
        const ref = printed(lockTxt, name);
        expect(lock.fields['owner.counter']).toBe(`0x${ref.counter!.toString(16)}`);
        expect(lock.fields['wait_list.next']).toBe(`0x${ref.next!.toString(16)}`);
        // Each thread holds one mutex and waits for the other (lab/README: AB-BA).
        expect(lock.owner).toBe(owner);
        expect(lock.waiters.map((w) => w.task)).toEqual([waiter]);
        const dump = crash.structs.find((s) => s.address === lock.address)!;
        expect(dump.type).toBe('mutex');
        expect(dump.expression).toBe(name);
      }
    });
  });
}

for (const scenario of ['bitlock-sched', 'bitlock-sched-irqoff']) {
  const path = labPath('corpus', scenario, 'vmcore');
  describe.skipIf(!path)(`${scenario}: spinners on bit 3 of lab_bitlock_word`, () => {
    it('evaluates the RIP-relative load of every spinner to lab_bitlock_word and reads its value', () => {
      const dir = dirname(path!);
      const lockTxt = readFileSync(join(dir, 'crash', 'lock.txt'), 'utf8');
      const word = symbolsOf(lockTxt).get('lab_bitlock_word');
      const value = BigInt(/^\$1 = (0x[0-9a-f]+)/m.exec(lockTxt)![1]!);
      const { crash, enriched } = load(path!);
      const spinners = crash.cpus.filter((c) => c.comm?.startsWith('lab_spinner'));
      expect(spinners.length).toBeGreaterThan(0);
      for (const cpu of spinners) {
        const t = enriched!.spinTargets.find((s) => s.cpu === cpu.id);
        expect(t?.target.address, `CPU ${cpu.id}`).toBe(word);
        expect(t?.target.via).toBe('rip');
        expect(t?.target.testMask).toBe(1n << 3n);
      }
      const dump = crash.structs.find((s) => s.address === word)!;
      expect(dump.expression).toBe('lab_bitlock_word');
      expect(BigInt(dump.fields['']!)).toBe(value);
    });
  });
}

{
  const path = labPath('corpus', 'pagelock-syscall-smp8', 'vmcore');
  describe.skipIf(!path)('pagelock-syscall-smp8: spinners on PG_locked of a compound page', () => {
    it('reads the struct page the spinners’ RBX points at, flags named from BTF', () => {
      const dir = dirname(path!);
      const lockTxt = readFileSync(join(dir, 'crash', 'lock.txt'), 'utf8');
      const head = BigInt(/lab_pagelock_head = \$1 = \(struct page \*\) (0x[0-9a-f]+)/.exec(lockTxt)![1]!);
      const flags = BigInt(/^\$3 = (0x[0-9a-f]+)/m.exec(lockTxt)![1]!);
      const { crash, enriched } = load(path!);
      const spinners = enriched!.spinTargets;
      expect(spinners.length).toBe(7);
      for (const s of spinners) {
        expect(s.target.address).toBe(head);
        expect(s.target.via).toBe('rbx');
        expect(s.target.testMask).toBe(1n);
      }
      const page = crash.pages.find((p) => p.address === head)!;
      expect(page.flags).toBe(flags);
      expect(page.flagNames).toEqual(['locked', 'head']);
    });
  });
}

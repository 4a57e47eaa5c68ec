/**
 * The memory readers on arbitrary memory: a damaged or hostile dump gives an answer or nothing,
 * never an exception, an endless walk or an allocation sized by what it read.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryCodeView } from '../../src/kernel/disasm/code-view.js';
import { decodeQSpinlock, queueHead } from '../../src/kernel/locks/qspinlock.js';
import { findWaitedLock, readSleepingLock, sleepingLockKind } from '../../src/kernel/locks/sleeping.js';
import { spinTarget } from '../../src/kernel/locks/spin-target.js';
import type { MemoryView } from '../../src/model/memory.js';

const BASE = 0xffff888000000000n;

/** A MemoryView over `bytes` mapped at BASE; everything else is not in the dump. */
function memoryOf(bytes: Uint8Array): MemoryView & { reads: number } {
  const view = {
    reads: 0,
    read(address: bigint, length: number) {
      view.reads++;
      const off = address - BASE;
      if (off < 0n || off + BigInt(length) > BigInt(bytes.length) || length < 0) return undefined;
      return bytes.subarray(Number(off), Number(off) + length);
    },
    readU64(address: bigint) {
      const b = view.read(address, 8);
      return b ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) : undefined;
    },
    readU32(address: bigint) {
      const b = view.read(address, 4);
      return b ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : undefined;
    },
  };
  return view;
}

/** Random words, many of which point back into the same memory (so list walks have somewhere to go). */
const memoryBytes = fc
  .array(fc.oneof(fc.bigInt({ min: 0n, max: 255n }), fc.bigInt({ min: 0n, max: 511n })), {
    minLength: 8,
    maxLength: 512,
  })
  .map((words) => {
    const bytes = new Uint8Array(words.length * 8);
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => {
      const v = w > 255n ? BASE + (w - 256n) * 8n : w;
      view.setBigUint64(i * 8, v, true);
    });
    return bytes;
  });

describe('memory readers on arbitrary memory', () => {
  it('findWaitedLock and readSleepingLock terminate with bounded reads', () => {
    fc.assert(
      fc.property(memoryBytes, fc.nat(63), (bytes, taskWord) => {
        const mem = memoryOf(bytes);
        const task = BASE + BigInt(taskWord) * 8n;
        const onTaskStack = (a: bigint) => a >= BASE && a < BASE + BigInt(bytes.length / 2);
        const found = findWaitedLock(mem, task, BASE, BASE + BigInt(bytes.length), { onTaskStack });
        if (found) {
          for (const kind of ['mutex', 'rwsem', 'semaphore'] as const) {
            const lock = readSleepingLock(mem, kind, found.head, { onTaskStack });
            expect(lock === undefined || lock.waiters.length <= 4096).toBe(true);
          }
        }
        expect(mem.reads).toBeLessThan(200_000);
      }),
      { numRuns: 300 },
    );
  });

  it('queueHead follows next pointers without looping', () => {
    fc.assert(
      fc.property(memoryBytes, fc.nat(7), fc.nat(3), (bytes, cpu, index) => {
        const mem = memoryOf(bytes);
        const cpus = Math.max(1, Math.floor(bytes.length / 64));
        const head = queueHead(
          mem,
          { qnodes: (c) => BASE + BigInt(c * 64), nodeSize: 16, nextOffset: 0, cpus },
          { cpu: cpu % cpus, index },
        );
        if (head) expect(head.length).toBeLessThanOrEqual(cpus * 4);
      }),
      { numRuns: 300 },
    );
  });

  it('spinTarget on arbitrary code and registers gives an address or nothing', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 256 }),
        fc.nat(200),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (code, ripOffset, reg) => {
          const view = new MemoryCodeView((a, l) => memoryOf(code).read(a, l));
          const rip = BASE + BigInt(ripOffset % code.length);
          const regs = {
            rax: reg,
            rbx: reg,
            rcx: reg,
            rdx: reg,
            rsi: reg,
            rdi: reg,
            rbp: reg,
            r12: reg,
            rip,
          };
          const t = spinTarget(view, rip, regs);
          if (t) {
            expect(t.loop.length).toBeGreaterThan(0);
            expect(t.address).toBeGreaterThanOrEqual(0n);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('qspinlock word (include/asm-generic/qspinlock_types.h, NR_CPUS < 16K)', () => {
  it('splits locked byte, pending byte and tail (CPU + 1 from bit 18, node index in bits 16-17)', () => {
    const one = decodeQSpinlock(0x1);
    expect(one).toMatchObject({ locked: true, pending: false });
    expect(one.tail).toBeUndefined();
    // _Q_LOCKED_VAL | _Q_PENDING_VAL | tail of CPU 2 (encoded 3) node 1.
    const v = 0x1 | (1 << 8) | (1 << 16) | (3 << 18);
    expect(decodeQSpinlock(v)).toMatchObject({ locked: true, pending: true, tail: { cpu: 2, index: 1 } });
    // NR_CPUS >= 16K: one pending bit, tail from bit 9.
    expect(decodeQSpinlock((1 << 8) | (5 << 11), false)).toMatchObject({
      locked: false,
      pending: true,
      tail: { cpu: 4, index: 0 },
    });
  });
});

describe('sleepingLockKind', () => {
  it('tells the lock kind from the waiting task’s frames', () => {
    expect(
      sleepingLockKind(['__schedule', 'schedule', 'schedule_preempt_disabled', '__mutex_lock.constprop.0']),
    ).toBe('mutex');
    expect(sleepingLockKind(['__schedule', 'schedule', 'rwsem_down_write_slowpath', 'down_write'])).toBe(
      'rwsem',
    );
    expect(sleepingLockKind(['__schedule', 'schedule', 'schedule_timeout', '__down_common', 'down'])).toBe(
      'semaphore',
    );
    expect(sleepingLockKind(['__schedule', 'schedule', 'do_nanosleep'])).toBeUndefined();
  });
});

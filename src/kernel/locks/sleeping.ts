/**
 * Sleeping locks read from memory: which mutex, rw_semaphore or semaphore a blocked task waits for
 * (its waiter structure lives on its own stack, linked into the lock's `wait_list`), the lock's
 * owner and the whole wait list. The waiter is recognised by shape — a `list_head` whose neighbours
 * point back at it, followed by the waiting task's own `task_struct` pointer (`mutex_waiter`,
 * `rwsem_waiter` and `semaphore_waiter` all start with `list` then `task`) — and the lock is the one
 * node of the ring that lies on no task's stack. Public names: SleepingLockKind, SleepingLock,
 * LockTypes, sleepingLockKind, findWaitedLock, readSleepingLock.
 *
 * Layouts: `mutex.owner` is an atomic_long_t holding the owner task with MUTEX_FLAG_WAITERS/HANDOFF/
 * PICKUP in bits 0-2 since 3ca0ff571b09 ("locking/mutex: Rework mutex::owner", v4.10), a plain
 * task pointer before; `rw_semaphore.owner` is an atomic_long_t with RWSEM_READER_OWNED (bit 0) and
 * RWSEM_NONSPINNABLE (bit 1) since 94a9717b3c40 ("locking/rwsem: Make rwsem->owner an
 * atomic_long_t", v5.3); `rw_semaphore.count` has RWSEM_WRITER_LOCKED in bit 0 and readers counted
 * from bit 8 since 64489e78004c ("locking/rwsem: Implement a new locking scheme", v5.3).
 */

import type { MemoryView } from '../../model/memory.js';
import type { Types } from '../btf/layout.js';

export type SleepingLockKind = 'mutex' | 'rwsem' | 'semaphore';

const STRUCT: Record<SleepingLockKind, string> = {
  mutex: 'mutex',
  rwsem: 'rw_semaphore',
  semaphore: 'semaphore',
};

export interface SleepingLock {
  kind: SleepingLockKind;
  /** C struct name. */
  type: string;
  address: bigint;
  /** Owner task_struct with the flag bits masked off (0 = none recorded). */
  owner?: bigint;
  /** Low bits of the owner word (mutex flags / rwsem reader-owned, non-spinnable). */
  ownerFlags?: number;
  /** rwsem count / semaphore count. */
  count?: bigint;
  /** Raw words as crash's `p` would print them, keyed by field path. */
  fields: Record<string, string>;
  /** Waiting tasks in wait-list order, with their waiter structure's address. */
  waiters: { task: bigint; waiter: bigint }[];
  /** rwsem: readers hold it (RWSEM_READER_OWNED); the owner field then names the last reader. */
  readerOwned?: boolean;
  writerLocked?: boolean;
}

/** The kind of sleeping lock a blocked task's stack shows it waiting for. */
export function sleepingLockKind(functions: (string | undefined)[]): SleepingLockKind | undefined {
  for (const raw of functions) {
    const fn = raw?.replace(/\..*$/, '') ?? '';
    if (/^(__)?(mutex_lock|ww_mutex_lock)/.test(fn)) return 'mutex';
    if (/^rwsem_down_(read|write)_slowpath$|^(__)?down_(read|write)/.test(fn)) return 'rwsem';
    if (
      /^__down(_common|_interruptible|_killable|_timeout)?$|^down(_interruptible|_killable|_timeout|_trylock)?$/.test(
        fn,
      )
    )
      return 'semaphore';
  }
  return undefined;
}

export interface LockTypes {
  types?: Types;
  /** Is this address inside some task's kernel stack? */
  onTaskStack(address: bigint): boolean;
}

const MAX_WAITERS = 4096;

function u64(mem: MemoryView, a: bigint): bigint | undefined {
  return mem.readU64(a);
}

/**
 * Scans a sleeping task's stack (from its saved SP up) for its waiter structure and returns the
 * address of the lock's `wait_list` head, with the waiter's address.
 */
export function findWaitedLock(
  mem: MemoryView,
  task: bigint,
  from: bigint,
  to: bigint,
  lt: LockTypes,
): { head: bigint; waiter: bigint } | undefined {
  const bytes = to > from && to - from <= 0x10000n ? mem.read(from, Number(to - from)) : undefined;
  if (!bytes) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let off = 0; off + 24 <= bytes.length; off += 8) {
    if (view.getBigUint64(off + 16, true) !== task) continue;
    const w = from + BigInt(off);
    const next = view.getBigUint64(off, true);
    const prev = view.getBigUint64(off + 8, true);
    if (next === w || next < 0xffff800000000000n || prev < 0xffff800000000000n) continue;
    if (u64(mem, next + 8n) !== w || u64(mem, prev) !== w) continue;
    // Walk the ring to the node that is not a waiter on some task's stack: the lock's list head.
    let at = next;
    for (let i = 0; i < MAX_WAITERS && at !== w; i++) {
      if (!lt.onTaskStack(at)) return { head: at, waiter: w };
      const n = u64(mem, at);
      if (n === undefined) break;
      at = n;
    }
  }
  return undefined;
}

function field(types: Types | undefined, struct: string, path: string, fallback: number): number {
  return types?.member(struct, path)?.offset ?? fallback;
}

/** Reads the lock whose `wait_list` head is at `head`: owner, counts and every waiter. */
export function readSleepingLock(
  mem: MemoryView,
  kind: SleepingLockKind,
  head: bigint,
  lt: LockTypes,
): SleepingLock | undefined {
  const type = STRUCT[kind];
  const t = lt.types;
  // v6.1 x86_64 offsets when BTF is missing.
  const listOff = field(t, type, 'wait_list', kind === 'mutex' ? 16 : kind === 'rwsem' ? 16 : 8);
  const address = head - BigInt(listOff);
  const lock: SleepingLock = { kind, type, address, fields: {}, waiters: [] };
  const next = u64(mem, head);
  const prev = u64(mem, head + 8n);
  if (next === undefined || prev === undefined) return undefined;
  lock.fields['wait_list.next'] = hex(next);
  lock.fields['wait_list.prev'] = hex(prev);
  if (kind === 'mutex' || kind === 'rwsem') {
    const ownerOff = field(t, type, 'owner', kind === 'mutex' ? 0 : 8);
    const raw = u64(mem, address + BigInt(ownerOff));
    if (raw !== undefined) {
      lock.owner = raw & ~7n;
      lock.ownerFlags = Number(raw & 7n);
      lock.fields['owner.counter'] = hex(raw);
    }
  }
  if (kind === 'rwsem') {
    const count = u64(mem, address + BigInt(field(t, type, 'count', 0)));
    if (count !== undefined) {
      lock.count = count;
      lock.fields['count.counter'] = hex(count);
      lock.writerLocked = (count & 1n) !== 0n;
      lock.readerOwned = ((lock.ownerFlags ?? 0) & 1) !== 0;
    }
  }
  if (kind === 'semaphore') {
    const count = mem.readU32(address + BigInt(field(t, type, 'count', 4)));
    if (count !== undefined) {
      lock.count = BigInt(count);
      lock.fields.count = String(count);
    }
  }
  let at = next;
  for (let i = 0; i < MAX_WAITERS && at !== head; i++) {
    if (!lt.onTaskStack(at)) break;
    const task = u64(mem, at + 16n);
    if (task) lock.waiters.push({ task, waiter: at });
    const n = u64(mem, at);
    if (n === undefined) break;
    at = n;
  }
  return lock;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/**
 * Locks the input printed as structures (`p lab_mutex_a`, `struct mutex ADDR`, `p lab_lock_a`):
 * a mutex's owner (the task pointer in `owner`, flag bits masked off) and waiter list, a queued
 * spinlock's value (locked byte, pending, queue tail).
 *
 * mutex.owner: an atomic_long_t holding the owner task_struct pointer with MUTEX_FLAG_* in the low
 * three bits since commit 3ca0ff571b09 ("locking/mutex: Rework mutex::owner", v4.10); a plain
 * `struct task_struct *owner` before.
 */

import type { Crash, Evidence, StructDump } from '../model/index.js';
import { parseNumber } from './lock-holder.js';

export interface StructLock {
  kind: 'mutex' | 'spinlock';
  name: string;
  address?: bigint;
  /** Mutex owner task_struct (flags masked). 0 = unlocked. */
  owner?: bigint;
  /** First entry of the wait list when it is not empty (a `mutex_waiter` on the waiter's stack). */
  firstWaiter?: bigint;
  /** Spinlock state: locked byte, pending, tail (CPU+1 << 2 | idx). */
  locked?: boolean;
  state?: string;
  evidence: Evidence[];
}

function field(d: StructDump, ...names: string[]): string | undefined {
  for (const n of names) {
    for (const [k, v] of Object.entries(d.fields)) if (k === n || k.endsWith(`.${n}`)) return v;
  }
  return undefined;
}

function addressOf(crash: Crash, d: StructDump): bigint | undefined {
  if (d.address !== undefined) return d.address;
  const expr = (d as StructDump & { expression?: string }).expression?.trim();
  return expr && /^\w+$/.test(expr) ? crash.symbols?.byName(expr)?.address : undefined;
}

function nameOf(d: StructDump): string {
  const expr = (d as StructDump & { expression?: string }).expression?.trim();
  if (expr) return expr;
  return d.address !== undefined ? `${d.type || 'lock'} ${d.address.toString(16)}` : d.type || 'lock';
}

export function structLocks(crash: Crash): StructLock[] {
  const out: StructLock[] = [];
  for (const d of crash.structs) {
    const evidence = d.evidence ? [d.evidence] : [];
    const address = addressOf(crash, d);
    const waitNext = field(d, 'wait_list.next');
    const ownerText = field(d, 'owner.counter', 'owner');
    if (waitNext !== undefined && ownerText !== undefined && !/rw_semaphore|rwsem/.test(d.type)) {
      const raw = parseNumber(ownerText);
      const lock: StructLock = { kind: 'mutex', name: nameOf(d), evidence };
      if (address !== undefined) lock.address = address;
      if (raw !== undefined) lock.owner = raw & ~7n;
      const next = parseNumber(waitNext);
      // An empty list points at itself, i.e. inside the mutex; a waiter lives on its task's stack.
      const inside = address !== undefined && next !== undefined && next >= address && next < address + 64n;
      if (next !== undefined && next !== 0n && !inside) lock.firstWaiter = next;
      out.push(lock);
      continue;
    }
    const val = field(d, 'val.counter', 'raw_lock.val.counter');
    const lockedText = field(d, 'locked');
    if (val !== undefined || (lockedText !== undefined && field(d, 'tail') !== undefined)) {
      const v = val !== undefined ? parseNumber(val) : undefined;
      const lock: StructLock = { kind: 'spinlock', name: nameOf(d), evidence };
      if (address !== undefined) lock.address = address;
      if (v !== undefined) {
        const lockedByte = v & 0xffn;
        const pending = (v >> 8n) & 1n;
        const tail = v >> 16n;
        lock.locked = lockedByte !== 0n;
        const queued = tail ? `, queue tail CPU ${Number((tail >> 2n) - 1n)}` : ', no queued waiter';
        lock.state = `val ${v} (${lock.locked ? 'locked' : 'unlocked'}${pending ? ', pending waiter' : ''}${queued})`;
      }
      out.push(lock);
    }
  }
  return out;
}

/**
 * Lockdep's dependency reports told plainly: which task holds which lock and takes which, the
 * order the kernel recorded before (the chain), and why two CPUs on those paths would wait on each
 * other forever. Nothing is stuck yet when lockdep speaks: it is a deadlock waiting to happen.
 */

import type { Report, ReportLock } from '../model/index.js';

const site = (l: ReportLock): string => (l.at ? ` (at ${l.at.replace(/\/0x[0-9a-f]+$/, '')})` : '');

/** The story of the first lockdep dependency report, or undefined when the input has none. */
export function tellLockdep(reports: Report[]): string | undefined {
  for (const r of reports) {
    const wanted = r.locks?.find((l) => l.role === 'wanted');
    const held = r.locks?.find((l) => l.role === 'held');
    if (!wanted || !held) continue;
    const who = `pid ${r.pid ?? '?'}${r.comm ? ` "${r.comm}"` : ''}`;
    if (/recursive locking/.test(r.header)) {
      return `Lockdep: possible recursive locking — ${who} holds ${held.name}${site(held)} and takes ${wanted.name}${site(wanted)} again (the same lock class): with the same instance this task deadlocks on itself; with two instances of one class, lockdep needs a nesting annotation (spin_lock_nested / mutex_lock_nested).`;
    }
    const chain = r.lockChain && r.lockChain.length > 1 ? r.lockChain : [wanted.name, held.name];
    return `Lockdep: a lock-order inversion that can deadlock (nothing is stuck yet). ${who} holds ${held.name}${site(held)} and now takes ${wanted.name}${site(wanted)}, while the kernel recorded the opposite order before: ${chain.join(' → ')}. Two CPUs on these paths at once would each hold one lock and wait for the other forever. The fix takes them in one order everywhere (or releases ${held.name} before taking ${wanted.name}).`;
  }
  return undefined;
}

/**
 * Deadlock cycles: parties that each hold a lock another party waits for. AB-BA is the cycle of
 * two; longer cycles are followed the same way (each party waits for one lock; each lock has at
 * most one holder we believe in).
 */

import type { Evidence } from '../model/index.js';
import type { DeadlockCycle, LockParty } from './results.js';

export interface PartyEdges {
  key: string;
  party: LockParty;
  /** Lock keys (addresses as hex) held, with their display names. */
  holds: { lock: string; name: string; why: string }[];
  waitsFor?: { lock: string; name: string };
  evidence: Evidence[];
}

export function findCycles(parties: PartyEdges[]): DeadlockCycle[] {
  const holderOf = new Map<string, PartyEdges>();
  for (const p of parties) for (const h of p.holds) if (!holderOf.has(h.lock)) holderOf.set(h.lock, p);
  const cycles: DeadlockCycle[] = [];
  const reported = new Set<string>();
  for (const start of parties) {
    const path: PartyEdges[] = [];
    let at: PartyEdges | undefined = start;
    while (at && !path.includes(at) && path.length < 64) {
      path.push(at);
      at = at.waitsFor ? holderOf.get(at.waitsFor.lock) : undefined;
    }
    if (!at || path.indexOf(at) !== 0 || path.length < 2) continue;
    const id = path
      .map((p) => p.key)
      .sort()
      .join('|');
    if (reported.has(id)) continue;
    reported.add(id);
    cycles.push({
      kind: path.length === 2 ? 'ab-ba' : 'cycle',
      edges: path.map((p, i) => {
        const next = path[(i + 1) % path.length]!;
        const held =
          p.holds.find((h) => h.lock === path[(i + path.length - 1) % path.length]!.waitsFor?.lock) ??
          p.holds[0]!;
        return {
          party: p.party,
          holds: `${held.name} (${held.why})`,
          waitsFor: `${p.waitsFor!.name}, held by ${label(next.party)}`,
        };
      }),
      evidence: path.flatMap((p) => p.evidence).slice(0, 6),
    });
  }
  return cycles;
}

function label(p: LockParty): string {
  return (
    [
      p.pid !== undefined ? `pid ${p.pid}` : undefined,
      p.comm ? `"${p.comm}"` : undefined,
      p.cpu !== undefined ? `CPU ${p.cpu}` : undefined,
    ]
      .filter(Boolean)
      .join(' ') || (p.task !== undefined ? `task ${p.task.toString(16)}` : 'another party')
  );
}

/**
 * CONFIG_DEBUG_LIST's complaints told as what happened to the list: an entry deleted twice or used
 * after list_del(), added twice, or a neighbour's pointer overwritten — and what the overwritten
 * value looks like (poison, freed memory, NULL).
 */

import type { Report } from '../model/index.js';
import { addressMeaning } from './fault-address.js';

const hex = (v: bigint): string => v.toString(16).padStart(16, '0');
/** Since 4.15 `%p` prints hashed values (`00000000bc6553ca`): they are not addresses. */
const HASHED_MAX = 0xffffffffn;

/** `culprit`: the function the headline names (past the list checkers). */
export function tellListCorruption(reports: Report[], culprit?: string): string | undefined {
  const report = reports.find((r) => r.listCorruption);
  const f = report?.listCorruption;
  if (!report || !f) return undefined;
  const who = report.pid !== undefined ? ` (pid ${report.pid}${report.comm ? ` "${report.comm}"` : ''})` : '';
  const fn = culprit ?? report.ripFunction;
  const where = fn ? ` in ${fn}` : '';
  const head = `List corruption caught by ${f.op}()${where}${who}`;
  if (f.poisoned)
    return `${head}: the entry still holds LIST_POISON — it was removed with list_del() already, so this is a second removal or a use after removal (often of a freed object).`;
  if (f.doubleAdd) return `${head}: the entry is already on the list — it was added twice.`;
  if (f.nullPointer)
    return `${head}: a neighbour pointer is NULL — the entry was never initialised (INIT_LIST_HEAD) or was zeroed after use.`;
  if (f.found !== undefined && f.expected !== undefined) {
    const hashed = f.found <= HASHED_MAX && f.expected <= HASHED_MAX;
    const meaning = hashed ? 'hashed' : addressMeaning(f.found).kind;
    const was =
      meaning === 'list-poison'
        ? 'list poison: that neighbour was itself removed already'
        : meaning === 'slab-free-poison'
          ? 'slab free poison: that neighbour was freed'
          : meaning === 'null'
            ? 'NULL: that neighbour was zeroed or never initialised'
            : meaning === 'hashed'
              ? 'the values are hashed by %p: they only show that the pointer was not what it should be'
              : 'another address: the neighbour was overwritten or freed and reused';
    return `${head}: ${f.pointer ?? 'a neighbour pointer'} should be ${hex(f.expected)} but was ${hex(f.found)} — ${was}. The list changed under this operation (missing locking) or one of its entries was freed while still linked.`;
  }
  return `${head}.`;
}

/**
 * Naming a lock address: a bit in a page's flags (`PG_compound_lock (bit 24) of THP head page …`),
 * a global or module variable (`lab_lock_b [lab_abba]` through the symbol table), or an address.
 */

import type { Crash } from '../model/index.js';
import { hex } from './frames.js';
import { compoundOf, isStructPage, pageLayout } from './pages.js';
import type { LockKind } from './results.js';

export interface LockIdentity {
  kind: LockKind;
  description: string;
  bit?: number;
  /** A page whose flags word holds the bit. */
  page?: bigint;
  symbol?: string;
}

export function symbolName(crash: Crash, address: bigint): string | undefined {
  const found = crash.symbols?.lookup(address);
  if (!found) return undefined;
  const mod = found.symbol.module ? ` [${found.symbol.module}]` : '';
  return `${found.symbol.name}${found.offset ? `+0x${found.offset.toString(16)}` : ''}${mod}`;
}

export function identifyLock(
  crash: Crash,
  address: bigint,
  how: string,
  bit: number | undefined,
): LockIdentity {
  const symbol = symbolName(crash, address);
  if (bit !== undefined && isStructPage(crash, address)) {
    const layout = pageLayout(crash)?.layout;
    const name = layout?.names[bit];
    const compound = compoundOf(crash, address);
    const kindText =
      compound.kind === 'thp'
        ? 'THP head page'
        : compound.kind === 'hugetlbfs'
          ? 'hugetlbfs head page'
          : 'page';
    const flag = name ? `PG_${name} (bit ${bit})` : `bit ${bit}`;
    return {
      kind: 'page-bit-lock',
      description: `${flag} of ${kindText} ${hex(address)}`,
      bit,
      page: address,
    };
  }
  const where = symbol ?? hex(address);
  if (bit !== undefined)
    return {
      kind: 'bit-spinlock',
      description: `bit ${bit} of the word at ${where}`,
      bit,
      ...(symbol ? { symbol } : {}),
    };
  const kind: LockKind =
    how === 'rwlock'
      ? 'rwlock'
      : how === 'csd-lock-wait'
        ? 'csd'
        : /spinlock|spin-halt/.test(how)
          ? 'spinlock'
          : 'unknown';
  const noun = kind === 'unknown' ? 'lock word' : kind;
  return {
    kind,
    description: symbol ? `${noun} ${symbol}` : `${noun} at ${hex(address)}`,
    ...(symbol ? { symbol } : {}),
  };
}

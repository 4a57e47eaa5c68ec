/**
 * Naming a lock address: a bit in a page's flags (`PG_compound_lock (bit 24) of THP head page …`),
 * a global or module variable (`lab_lock_b [lab_abba]` through the symbol table), or an address.
 */

import type { Crash } from '../model/index.js';
import { hex } from './frames.js';
import { compoundOf, isStructPage, knownPage, pageLayout } from './pages.js';
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
  if (how === 'csd-lock-wait') return csdLock(symbol ?? hex(address), symbol);
  if (bit !== undefined && isStructPage(crash, address)) {
    const layout = pageLayout(crash)?.layout;
    const name = layout?.names[bit];
    const compound = compoundOf(crash, address);
    const kindText =
      compound.kind === 'thp'
        ? 'THP head page'
        : compound.kind === 'hugetlbfs'
          ? 'hugetlbfs head page'
          : compound.kind === 'other-compound' || knownPage(crash, address)?.flagNames?.includes('head')
            ? 'compound head page'
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

/**
 * A cross-CPU call's `call_single_data`: its CSD_FLAG_LOCK (bit 0 of `flags`) stays set until the
 * target CPU has run the function, so the "holder" is that CPU, not a task.
 */
function csdLock(where: string, symbol: string | undefined): LockIdentity {
  return {
    kind: 'csd',
    description: `call_single_data ${where} (CSD_FLAG_LOCK: released when the IPI's target CPU runs the function)`,
    ...(symbol ? { symbol } : {}),
  };
}

/**
 * A lock word known only by name: a RIP-relative global read from a log's `Code:` bytes, named
 * `fn+0x23b0` after the instruction's function because the log gives neither RIP's address nor a
 * symbol table.
 */
export function namedLock(name: string, how: string, bit: number | undefined): LockIdentity {
  if (how === 'csd-lock-wait') return csdLock(`at ${name}`, undefined);
  const where = `the global at ${name} (RIP-relative)`;
  if (bit !== undefined) return { kind: 'bit-spinlock', description: `bit ${bit} of ${where}`, bit };
  const kind: LockKind = how === 'rwlock' ? 'rwlock' : /spinlock/.test(how) ? 'spinlock' : 'unknown';
  return { kind, description: `${kind === 'unknown' ? 'lock word' : kind}: ${where}` };
}

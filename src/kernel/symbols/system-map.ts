/**
 * `System.map` / `nm` / `/proc/kallsyms` text (`ffffffff81000000 T _stext [module]`), and moving
 * link-time addresses to where KASLR put the kernel. Public names: parseSystemMap, relocate,
 * KERNEL_MAP_START.
 */

import { KtriageError } from '../../errors.js';
import type { SymbolEntry } from './table.js';

/** __START_KERNEL_map: the kernel image is mapped at and above this on x86_64. */
export const KERNEL_MAP_START = 0xffffffff80000000n;

const LINE = /^([0-9a-fA-F]{1,16})\s+([A-Za-z?-])\s+(\S+)(?:\s+\[(\S+)\])?\s*$/;

/**
 * Symbols of a System.map. Lines with a `[module]` tag are skipped (they are /proc/kallsyms module
 * symbols, which come from the module list instead). Throws on the first malformed line.
 */
export function parseSystemMap(text: string): SymbolEntry[] {
  const out: SymbolEntry[] = [];
  let line = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const s = text.slice(start, end);
    start = end + 1;
    if (s.trim() === '') continue;
    const m = LINE.exec(s);
    if (!m) {
      throw new KtriageError(
        'corrupt',
        `System.map line ${line}: expected "ADDRESS TYPE NAME", got "${s.slice(0, 60)}"`,
        { line },
      );
    }
    if (m[4] !== undefined) continue;
    out.push({ address: BigInt(`0x${m[1]}`), type: m[2]!, name: m[3]! });
  }
  if (out.length === 0) throw new KtriageError('empty', 'System.map holds no symbols');
  return out;
}

/** Shifts kernel-image addresses by the KASLR offset; per-cpu offsets and absolutes stay put. */
export function relocate(entries: SymbolEntry[], offset: bigint): SymbolEntry[] {
  if (offset === 0n) return entries;
  return entries.map((e) => (e.address >= KERNEL_MAP_START ? { ...e, address: e.address + offset } : e));
}

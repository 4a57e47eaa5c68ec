/** Test helpers: the ORC excerpt fixture, the lab System.map as a SymbolView, crash `bt -f` words as memory. */

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { detectOrcVersion } from '../../../src/kernel/unwind/orc-format.js';
import { OrcTable } from '../../../src/kernel/unwind/orc-table.js';
import { ArrayTableBytes, type ReadVirt } from '../../../src/kernel/unwind/table-bytes.js';
import type { SymbolInfo, SymbolView } from '../../../src/model/memory.js';
import { fixture } from '../../helpers/shared.js';

export interface Excerpt {
  ip: Uint8Array;
  orc: Uint8Array;
  ipBase: bigint;
  count: number;
  symbols: Record<string, string>;
}

export function loadExcerpt(): Excerpt {
  const meta = JSON.parse(readFileSync(fixture('unwind', 'orc-6.1-excerpt.json'), 'utf8')) as {
    ipBase: string;
    count: number;
    symbols: Record<string, string>;
  };
  return {
    ip: readFileSync(fixture('unwind', 'orc-6.1-excerpt.ip.bin')),
    orc: readFileSync(fixture('unwind', 'orc-6.1-excerpt.orc.bin')),
    ipBase: BigInt(meta.ipBase),
    count: meta.count,
    symbols: meta.symbols,
  };
}

/** The excerpt as a table, its IPs moved by `kaslr` (IPs are relative, so moving the base moves them all). */
export function excerptTable(kaslr = 0n): OrcTable {
  const x = loadExcerpt();
  const entries = new ArrayTableBytes(x.orc);
  const flags = Array.from({ length: x.count }, (_, i) => entries.u16(i * 6 + 4));
  return new OrcTable({
    name: 'vmlinux',
    ipBytes: new ArrayTableBytes(x.ip),
    ipBase: x.ipBase + kaslr,
    entryBytes: entries,
    count: x.count,
    version: detectOrcVersion(flags, '6.1.0-56-amd64').version,
  });
}

const marker = (name: string): boolean => /_(start|end)$/.test(name);

/** System.map of the lab kernel (text and data symbols), shifted by `kaslr`. */
export function systemMapSymbols(kaslr = 0n): SymbolView & { all: SymbolInfo[] } {
  const all = gunzipSync(readFileSync(fixture('lab', 'kernel', 'System.map-6.1.0-56-amd64.gz')))
    .toString('latin1')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((p) => p.length === 3 && /^[tTwWdDbBrR]$/.test(p[1]!) && p[0]!.startsWith('ffffffff'))
    .map((p) => ({ name: p[2]!, address: BigInt(`0x${p[0]}`) + kaslr, type: p[1]! }))
    // At one address the lookup returns the last alias: section markers (`__softirqentry_text_start`) go first.
    .sort((a, b) =>
      a.address < b.address
        ? -1
        : a.address > b.address
          ? 1
          : Number(!marker(a.name)) - Number(!marker(b.name)),
    );
  const byName = new Map(all.map((s) => [s.name, s]));
  return {
    all,
    byName: (name) => byName.get(name),
    lookup(address) {
      let lo = 0;
      let hi = all.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (all[mid]!.address <= address) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found < 0) return undefined;
      const symbol = all[found]!;
      const offset = Number(address - symbol.address);
      return offset < 0x100000 ? { symbol, offset } : undefined;
    },
  };
}

/** Words of a crash `bt -f` transcript: `ADDR: W W` lines and each frame's `[slot] fn at RET`. */
export function btfWords(text: string): Map<bigint, bigint> {
  const words = new Map<bigint, bigint>();
  for (const line of text.split('\n')) {
    const w = /^\s+([0-9a-f]{16}):((?:\s+[0-9a-f]{16})+)\s*$/.exec(line);
    if (w) {
      let at = BigInt(`0x${w[1]}`);
      for (const v of w[2]!.trim().split(/\s+/)) {
        words.set(at, BigInt(`0x${v}`));
        at += 8n;
      }
      continue;
    }
    const f = /^\s*#\d+ \[([0-9a-f]{16})\] \S+ at ([0-9a-f]{16})/.exec(line);
    if (f) words.set(BigInt(`0x${f[1]}`), BigInt(`0x${f[2]}`));
  }
  return words;
}

/** ReadVirt over known words (any missing 8-byte word makes the read fail, like an excluded page). */
export function wordsReader(words: Map<bigint, bigint>): ReadVirt {
  return (address, length) => {
    const out = new Uint8Array(length);
    const view = new DataView(out.buffer);
    for (let i = 0; i < length; i += 8) {
      const v = words.get(address + BigInt(i));
      if (v === undefined) return undefined;
      if (i + 8 <= length) view.setBigUint64(i, v, true);
    }
    return out;
  };
}

/** Code bytes of the excerpt's functions (link-time addresses + kaslr), as a ReadVirt. */
export function excerptText(kaslr = 0n): ReadVirt {
  const meta = JSON.parse(readFileSync(fixture('unwind', 'orc-6.1-excerpt.json'), 'utf8')) as {
    text: { address: string; offset: number; size: number }[];
  };
  const bytes = readFileSync(fixture('unwind', 'text-6.1-excerpt.bin'));
  return (address, length) => {
    for (const t of meta.text) {
      const start = BigInt(t.address) + kaslr;
      if (address >= start && address + BigInt(length) <= start + BigInt(t.size)) {
        const at = t.offset + Number(address - start);
        return new Uint8Array(bytes.subarray(at, at + length));
      }
    }
    return undefined;
  };
}

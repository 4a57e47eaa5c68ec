/**
 * Test helpers: the real kallsyms excerpt of the lab kernel (see make-fixtures.ts), a MemoryView over
 * a few byte regions, and re-encodings of the excerpt's real addresses in the other kallsyms forms.
 */

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseSystemMap } from '../../../src/kernel/symbols/system-map.js';
import type { SymbolEntry } from '../../../src/kernel/symbols/table.js';
import type { MemoryView } from '../../../src/model/memory.js';
import { fixture } from '../../helpers/shared.js';

export interface Excerpt {
  count: number;
  addresses: Record<string, bigint>;
  relativeBase: bigint;
  names: Uint8Array;
  offsets: Uint8Array;
  tokenTable: Uint8Array;
  tokenIndex: Uint8Array;
}

export function loadExcerpt(): Excerpt {
  const j = JSON.parse(
    gunzipSync(readFileSync(fixture('kernel', 'symbols', 'kallsyms-6.1.0-56-excerpt.json.gz'))).toString(),
  );
  const b = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
  return {
    count: j.count,
    addresses: Object.fromEntries(
      Object.entries(j.addresses as Record<string, string>).map(([k, v]) => [k, BigInt(v)]),
    ),
    relativeBase: BigInt(j.relativeBase),
    names: b(j.names),
    offsets: b(j.offsets),
    tokenTable: b(j.tokenTable),
    tokenIndex: b(j.tokenIndex),
  };
}

export function systemMap(): SymbolEntry[] {
  return parseSystemMap(
    gunzipSync(readFileSync(fixture('lab', 'kernel', 'System.map-6.1.0-56-amd64.gz'))).toString('latin1'),
  );
}

export function regionsMemory(regions: { at: bigint; bytes: Uint8Array }[]): MemoryView {
  const read = (address: bigint, length: number) => {
    for (const r of regions) {
      const off = address - r.at;
      if (off >= 0n && off + BigInt(length) <= BigInt(r.bytes.length))
        return r.bytes.subarray(Number(off), Number(off) + length);
    }
    return undefined;
  };
  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    read,
    readU32: (a) => {
      const b = read(a, 4);
      return b ? dv(b).getUint32(0, true) : undefined;
    },
    readU64: (a) => {
      const b = read(a, 8);
      return b ? dv(b).getBigUint64(0, true) : undefined;
    },
  };
}

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

export function u64(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
}

/** Byte ranges of each name entry in `names` (two-byte lengths). */
export function entryBounds(names: Uint8Array, count: number): [number, number][] {
  const out: [number, number][] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const start = pos;
    let len = names[pos++]!;
    if (len & 0x80) len = (len & 0x7f) | (names[pos++]! << 7);
    pos += len;
    out.push([start, pos]);
  }
  return out;
}

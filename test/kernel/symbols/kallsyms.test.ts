import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KtriageError } from '../../../src/errors.js';
import {
  decodeKallsyms,
  type KallsymsLocations,
  usesLongNames,
} from '../../../src/kernel/symbols/kallsyms.js';
import type { SymbolTable } from '../../../src/kernel/symbols/table.js';
import { type Excerpt, entryBounds, loadExcerpt, regionsMemory, systemMap, u32, u64 } from './excerpt.js';

const ex = loadExcerpt();
const A = ex.addresses;
const map = systemMap();
const mapKeys = new Set(map.map((e) => `${e.address} ${e.type} ${e.name}`));

/** The excerpt as it sits in the vmlinux: absolute-percpu offsets + relative base. */
function excerptMemory(
  e: Excerpt,
  overrides: { names?: Uint8Array; offsets?: Uint8Array; count?: number } = {},
) {
  return regionsMemory([
    { at: A.kallsyms_names!, bytes: overrides.names ?? e.names },
    { at: A.kallsyms_num_syms!, bytes: u32(overrides.count ?? e.count) },
    { at: A.kallsyms_token_table!, bytes: e.tokenTable },
    { at: A.kallsyms_token_index!, bytes: e.tokenIndex },
    { at: A.kallsyms_offsets!, bytes: overrides.offsets ?? e.offsets },
    { at: A.kallsyms_relative_base!, bytes: u64(e.relativeBase) },
  ]);
}

const loc: KallsymsLocations = {
  names: A.kallsyms_names!,
  numSyms: A.kallsyms_num_syms!,
  tokenTable: A.kallsyms_token_table!,
  tokenIndex: A.kallsyms_token_index!,
  offsets: A.kallsyms_offsets!,
  relativeBase: A.kallsyms_relative_base!,
};

/** Every decoded symbol is a System.map line (kallsyms types per-cpu symbols `A`, nm `D`/`d`). */
function expectAllInSystemMap(table: SymbolTable) {
  let n = 0;
  for (const s of table) {
    const key = `${s.address} ${s.type} ${s.name}`;
    const alt = [`${s.address} D ${s.name}`, `${s.address} d ${s.name}`];
    expect(mapKeys.has(key) || (s.type === 'A' && alt.some((k) => mapKeys.has(k))), key).toBe(true);
    n++;
  }
  return n;
}

describe('kallsyms of the lab kernel (real tables, first 3000 symbols)', () => {
  it('decodes the absolute-percpu form into System.map names, types and addresses', () => {
    const { table, encoding } = decodeKallsyms(excerptMemory(ex), loc, { stext: A._stext, longNames: true });
    expect(encoding).toBe('absolute-percpu');
    expect(expectAllInSystemMap(table)).toBe(ex.count);
    expect(table.byName('_stext')?.address).toBe(A._stext);
    // Per-cpu symbols stay small offsets: current_task is at 0x1fb80 in System.map.
    expect(table.byName('current_task')).toMatchObject({ address: 0x1fb80n, type: 'A' });
  });

  describe('the same real addresses in the other encodings', () => {
    const bounds = entryBounds(ex.names, ex.count);
    // Real addresses in memory order (absolute-percpu: negative = relative_base - 1 - offset).
    const raw = new DataView(ex.offsets.buffer, ex.offsets.byteOffset, ex.offsets.byteLength);
    const real = Array.from({ length: ex.count }, (_, i) => raw.getInt32(4 * i, true));
    const from = real.findIndex((v) => v < 0); // the first kernel-image symbol, after the per-cpu ones
    const names = ex.names.subarray(bounds[from]![0]);
    const tail = real.slice(from).map((v) => ({ address: ex.relativeBase - 1n - BigInt(v) }));
    const count = tail.length;

    function check(table: SymbolTable) {
      expect(table.count).toBe(count);
      expectAllInSystemMap(table);
      expect(table.byName('_stext')?.address).toBe(A._stext);
    }

    it('absolute (kallsyms_addresses, before v6.11)', () => {
      const addrs = new Uint8Array(count * 8);
      for (const [i, s] of tail.entries()) new DataView(addrs.buffer).setBigUint64(8 * i, s.address, true);
      const at = 0xffffffff82100000n;
      const mem = regionsMemory([
        { at: loc.names, bytes: names },
        { at: loc.numSyms, bytes: u32(count) },
        { at: loc.tokenTable, bytes: ex.tokenTable },
        { at: loc.tokenIndex, bytes: ex.tokenIndex },
        { at, bytes: addrs },
      ]);
      const r = decodeKallsyms(
        mem,
        { ...loc, offsets: undefined, relativeBase: undefined, addresses: at },
        {
          stext: A._stext,
          longNames: true,
        },
      );
      expect(r.encoding).toBe('absolute');
      check(r.table);
    });

    it('base-relative (no absolute per-cpu, v6.15 until v7.0)', () => {
      const rel = tail[0]!.address;
      const offs = new Uint8Array(count * 4);
      for (const [i, s] of tail.entries())
        new DataView(offs.buffer).setUint32(4 * i, Number(s.address - rel), true);
      const mem = regionsMemory([
        { at: loc.names, bytes: names },
        { at: loc.numSyms, bytes: u32(count) },
        { at: loc.tokenTable, bytes: ex.tokenTable },
        { at: loc.tokenIndex, bytes: ex.tokenIndex },
        { at: loc.offsets!, bytes: offs },
        { at: loc.relativeBase!, bytes: u64(rel) },
      ]);
      const r = decodeKallsyms(mem, loc, { stext: A._stext, longNames: true });
      expect(r.encoding).toBe('base-relative');
      check(r.table);
    });

    it('place-relative (v7.0+: no kallsyms_relative_base)', () => {
      const offs = new Uint8Array(count * 4);
      for (const [i, s] of tail.entries()) {
        new DataView(offs.buffer).setInt32(4 * i, Number(s.address - (loc.offsets! + BigInt(4 * i))), true);
      }
      const mem = regionsMemory([
        { at: loc.names, bytes: names },
        { at: loc.numSyms, bytes: u32(count) },
        { at: loc.tokenTable, bytes: ex.tokenTable },
        { at: loc.tokenIndex, bytes: ex.tokenIndex },
        { at: loc.offsets!, bytes: offs },
      ]);
      const r = decodeKallsyms(
        mem,
        { ...loc, relativeBase: undefined },
        { stext: A._stext, longNames: true },
      );
      expect(r.encoding).toBe('place-relative');
      check(r.table);
    });
  });

  it('reads a two-byte length (v6.1 "big" symbols): a real name followed by 130 one-letter tokens', () => {
    const bounds = entryBounds(ex.names, ex.count);
    const table = decodeKallsyms(excerptMemory(ex), loc, { stext: A._stext, longNames: true }).table;
    const [s, e] = bounds[ex.count - 1]!;
    const last = [...table].at(-1)!;
    // The token that decodes to the single letter "x".
    let x = -1;
    const ti = new DataView(ex.tokenIndex.buffer, ex.tokenIndex.byteOffset, 512);
    for (let i = 0; i < 256 && x < 0; i++) {
      const off = ti.getUint16(2 * i, true);
      if (ex.tokenTable[off] === 0x78 && ex.tokenTable[off + 1] === 0) x = i;
    }
    expect(x).toBeGreaterThanOrEqual(0);
    const tokens = ex.names.subarray(s + 1, e);
    const len = tokens.length + 130;
    const entry = Uint8Array.from([0x80 | (len & 0x7f), len >> 7, ...tokens, ...new Array(130).fill(x)]);
    const names = new Uint8Array(s + entry.length);
    names.set(ex.names.subarray(0, s));
    names.set(entry, s);
    const r = decodeKallsyms(excerptMemory(ex, { names }), loc, { stext: A._stext, longNames: true });
    const names2 = [...r.table].map((y) => y.name);
    expect(names2).toContain(last.name + 'x'.repeat(130));
  });

  it("reads the length bytes the way the kernel's kallsyms_markers says, even against the release guess", () => {
    const ti = new DataView(ex.tokenIndex.buffer, ex.tokenIndex.byteOffset, 512);
    const single = (c: string) => {
      for (let i = 0; i < 256; i++) {
        const off = ti.getUint16(2 * i, true);
        if (ex.tokenTable[off] === c.charCodeAt(0) && ex.tokenTable[off + 1] === 0) return i;
      }
      throw new Error(`no one-letter token for ${c}`);
    };
    const bounds = entryBounds(ex.names, ex.count);
    const [s, e] = bounds[ex.count - 1]!;
    const tokens = ex.names.subarray(s + 1, e);
    const len = tokens.length + 130;
    const big = [0x80 | (len & 0x7f), len >> 7, ...tokens, ...new Array(130).fill(single('x'))];
    const markersName = [...'Dkallsyms_markers'].map(single);
    const names = Uint8Array.from([...ex.names.subarray(0, s), ...big, markersName.length, ...markersName]);
    const count = ex.count + 1;
    // kallsyms_markers sits 2 MiB above the relative base (absolute-percpu: negative offset).
    const markersAt = ex.relativeBase + 0x200000n;
    const offsets = new Uint8Array(count * 4);
    offsets.set(ex.offsets);
    new DataView(offsets.buffer).setInt32(4 * ex.count, Number(ex.relativeBase - 1n - markersAt), true);
    const walk = entryBounds(names, count);
    const markers = new Uint8Array(4 * Math.ceil(count / 256));
    for (let k = 0; k * 256 < count; k++)
      new DataView(markers.buffer).setUint32(4 * k, walk[k * 256]![0], true);
    const mem = regionsMemory([
      { at: A.kallsyms_names!, bytes: names },
      { at: A.kallsyms_num_syms!, bytes: u32(count) },
      { at: A.kallsyms_token_table!, bytes: ex.tokenTable },
      { at: A.kallsyms_token_index!, bytes: ex.tokenIndex },
      { at: A.kallsyms_offsets!, bytes: offsets },
      { at: A.kallsyms_relative_base!, bytes: u64(ex.relativeBase) },
      { at: markersAt, bytes: markers },
    ]);
    for (const guess of [false, true]) {
      const { table } = decodeKallsyms(mem, loc, { stext: A._stext, longNames: guess });
      expect(table.count).toBe(count);
      expect(table.address('kallsyms_markers')).toBe(markersAt);
      expect([...table].some((y) => y.name.endsWith('x'.repeat(130)))).toBe(true);
    }
  });

  it('knows which releases use two-byte lengths', () => {
    expect(usesLongNames('6.1.0-56-amd64')).toBe(true);
    expect(usesLongNames('5.15.0-100-generic')).toBe(false);
    expect(usesLongNames('7.0.0')).toBe(true);
  });

  it('refuses a table whose encoding does not reproduce _stext', () => {
    expect(() =>
      decodeKallsyms(excerptMemory(ex), loc, { stext: A._stext! + 0x1000n, longNames: true }),
    ).toThrow(KtriageError);
  });

  it('turns damaged tables into a KtriageError or a table, never another exception', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('names', 'offsets', 'tokenTable', 'tokenIndex', 'count'),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 }),
        fc.nat(),
        (what, edits, count) => {
          const e = {
            ...ex,
            names: ex.names.slice(),
            offsets: ex.offsets.slice(),
            tokenTable: ex.tokenTable.slice(),
            tokenIndex: ex.tokenIndex.slice(),
          };
          const target = what === 'count' ? undefined : e[what];
          if (target) for (const [p, v] of edits) target[p % target.length] = v;
          try {
            decodeKallsyms(excerptMemory(e, what === 'count' ? { count } : {}), loc, {
              stext: A._stext,
              longNames: true,
            });
          } catch (err) {
            expect(err).toBeInstanceOf(KtriageError);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

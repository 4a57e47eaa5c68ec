import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KtriageError } from '../../../src/errors.js';
import {
  decodeOrcFlags,
  detectOrcVersion,
  newOrcEntry,
  OrcReg,
  OrcType,
  orcVersionForRelease,
} from '../../../src/kernel/unwind/orc-format.js';
import { LOOKUP_BLOCK_SIZE, OrcTable } from '../../../src/kernel/unwind/orc-table.js';
import { ArrayTableBytes, MemoryTableBytes } from '../../../src/kernel/unwind/table-bytes.js';
import { excerptTable, loadExcerpt } from './helpers.js';

const VMLINUX = '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64';

describe('ORC entry format', () => {
  it('decodes each version layout to the same normalised entry', () => {
    // CALL, sp = SP+16, bp = PREV_SP-16 in the three layouts.
    const v1 = OrcReg.sp | (OrcReg.prevSp << 4) | (0 << 8);
    const v3 = OrcReg.sp | (OrcReg.prevSp << 4) | (2 << 8);
    for (const [flags, version] of [
      [v1, 1],
      [v1, 2],
      [v3, 3],
    ] as const) {
      const e = decodeOrcFlags(flags, version, newOrcEntry());
      expect(e).toMatchObject({ spReg: OrcReg.sp, bpReg: OrcReg.prevSp, type: OrcType.call, signal: false });
    }
    // v1 REGS is a signal frame; v1 sp_reg UNDEFINED + end → END_OF_STACK; without end → UNDEFINED.
    expect(decodeOrcFlags(OrcReg.sp | (1 << 8), 1, newOrcEntry())).toMatchObject({
      type: OrcType.regs,
      signal: true,
    });
    expect(decodeOrcFlags(0x400, 1, newOrcEntry()).type).toBe(OrcType.endOfStack);
    expect(decodeOrcFlags(0, 1, newOrcEntry()).type).toBe(OrcType.undefined);
    expect(decodeOrcFlags(0x800, 2, newOrcEntry()).type).toBe(OrcType.endOfStack);
    expect(decodeOrcFlags(OrcReg.sp | (2 << 8) | 0x800, 3, newOrcEntry())).toMatchObject({
      type: OrcType.call,
      signal: true,
    });
    expect(decodeOrcFlags(1 << 8, 3, newOrcEntry()).type).toBe(OrcType.endOfStack);
  });

  it('maps releases to layouts at the 6.3 and 6.4 commits', () => {
    expect(orcVersionForRelease('6.1.0-56-amd64')).toBe(1);
    expect(orcVersionForRelease('4.18.0-553.el8.x86_64')).toBe(1);
    expect(orcVersionForRelease('6.3.13')).toBe(2);
    expect(orcVersionForRelease('6.4.0')).toBe(3);
    expect(orcVersionForRelease('6.12.9-amd64')).toBe(3);
    expect(orcVersionForRelease('junk')).toBeUndefined();
  });

  it('detects the 6.1 layout from the real entries, and a v3 table from the same entries re-encoded', () => {
    const x = loadExcerpt();
    const b = new ArrayTableBytes(x.orc);
    const flags = Array.from({ length: x.count }, (_, i) => b.u16(i * 6 + 4));
    expect(detectOrcVersion(flags).version).toBe(1);
    expect(detectOrcVersion(flags, '6.1.0-56-amd64').why).toMatch(/agree/);
    // Re-encode v1 → v3 (type+1 for CALL/REGS/REGS_PARTIAL, end → END_OF_STACK) and detect it.
    const v3 = flags.map((f) => {
      const e = decodeOrcFlags(f, 1, newOrcEntry());
      return e.spReg | (e.bpReg << 4) | (e.type << 8) | (e.signal ? 0x800 : 0);
    });
    expect(detectOrcVersion(v3).version).toBe(3);
    expect(detectOrcVersion(v3, '6.1.0').why).toMatch(/overrule/);
  });
});

describe('ORC table lookup (real 6.1 entries)', () => {
  const x = loadExcerpt();
  const sym = (n: string) => BigInt(x.symbols[n]!);

  it('finds the stack-switch entry of sysvec_apic_timer_interrupt at the return address crash printed', () => {
    const table = excerptTable();
    const out = newOrcEntry();
    // crash: "sysvec_apic_timer_interrupt at ffffffffaec47c49" = +0x69; the kernel looks up ip-1.
    expect(table.find(sym('sysvec_apic_timer_interrupt') + 0x68n, out)).toBe(true);
    expect(out).toMatchObject({ spReg: OrcReg.spIndirect, spOffset: 24, type: OrcType.call });
    // asm_sysvec_apic_timer_interrupt: UNWIND_HINT_REGS after error_entry.
    expect(table.find(sym('asm_sysvec_apic_timer_interrupt') + 0x1an, out)).toBe(true);
    expect(out).toMatchObject({ spReg: OrcReg.sp, spOffset: 0, type: OrcType.regs, signal: true });
    // ret_from_fork ends kernel thread stacks.
    let sawEnd = false;
    for (let off = 0n; off < 0x40n; off++) {
      if (table.find(sym('ret_from_fork') + off, out) && out.type === OrcType.endOfStack) sawEnd = true;
    }
    expect(sawEnd).toBe(true);
  });

  it('returns no entry below the table and a typed error for impossible counts', () => {
    const table = excerptTable();
    expect(table.findIndex(table.ipAt(0) - 1n)).toBe(-1);
    expect(table.findIndex(0n)).toBe(-1);
    expect(() => new OrcTable({ ...parts(), count: 10 ** 9 })).toThrow(KtriageError);
    expect(() => new OrcTable({ ...parts(), count: x.count + 1 })).toThrow(KtriageError);
  });

  function parts() {
    return {
      name: 't',
      ipBytes: new ArrayTableBytes(x.ip),
      ipBase: x.ipBase,
      entryBytes: new ArrayTableBytes(x.orc),
      count: x.count,
      version: 1 as const,
    };
  }

  it('reads the same through lazily paged memory as from an array', () => {
    const ipMem = new MemoryTableBytes(
      (a, n) => x.ip.subarray(Number(a - 0x1000n), Number(a - 0x1000n) + n),
      0x1000n,
      x.ip.length,
    );
    const orcMem = new MemoryTableBytes((a, n) => x.orc.subarray(Number(a), Number(a) + n), 0n, x.orc.length);
    const lazy = new OrcTable({ ...parts(), ipBytes: ipMem, entryBytes: orcMem });
    const eager = excerptTable();
    const a = newOrcEntry();
    const b = newOrcEntry();
    for (let i = 0; i < x.count; i += 3) {
      const ip = eager.ipAt(i) + 1n;
      expect(lazy.findIndex(ip)).toBe(eager.findIndex(ip));
      expect(lazy.find(ip, a)).toBe(eager.find(ip, b));
      expect(a).toEqual(b);
    }
  });

  it('never throws on malformed tables (fast-check): lookups give an index in range or -1', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 400 }),
        fc.uint8Array({ minLength: 0, maxLength: 600 }),
        fc.integer({ min: 0, max: 200 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.constantFrom(1, 2, 3),
        (ipB, orcB, count, ip, version) => {
          let table: OrcTable;
          try {
            table = new OrcTable({
              name: 'fuzz',
              ipBytes: new ArrayTableBytes(ipB),
              ipBase: 0xffffffff81000000n,
              entryBytes: new ArrayTableBytes(orcB),
              count,
              version: version as 1 | 2 | 3,
            });
          } catch (e) {
            expect(e).toBeInstanceOf(KtriageError);
            return;
          }
          const i = table.findIndex(ip);
          expect(i >= -1 && i < count).toBe(true);
          table.find(ip, newOrcEntry());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe.skipIf(!existsSync(VMLINUX))('ORC table of the whole lab vmlinux', () => {
  it('the orc_lookup fast path (built as unwind_init does) agrees with a full binary search', () => {
    const read = (name: string) => section(name);
    const ip = read('.orc_unwind_ip');
    const orc = read('.orc_unwind');
    const count = ip.bytes.length / 4;
    const entries = new ArrayTableBytes(orc.bytes);
    const flags = Array.from({ length: 3000 }, (_, i) => entries.u16(i * 6 + 4));
    const base = {
      name: 'vmlinux',
      ipBytes: new ArrayTableBytes(ip.bytes),
      ipBase: ip.addr,
      entryBytes: entries,
      count,
    };
    const slow = new OrcTable({ ...base, version: detectOrcVersion(flags, '6.1.0-56-amd64').version });
    expect(slow.version).toBe(1);
    const text = read('.text');
    const start = text.addr;
    const stop = text.addr + BigInt(text.size);
    const blocks = Number((stop - start) / BigInt(LOOKUP_BLOCK_SIZE)) + 2;
    const lookup = new Uint8Array(blocks * 4);
    const lv = new DataView(lookup.buffer);
    for (let i = 0; i < blocks - 1; i++)
      lv.setUint32(i * 4, slow.findIndex(start + BigInt(i * LOOKUP_BLOCK_SIZE)), true);
    lv.setUint32((blocks - 1) * 4, slow.findIndex(stop), true);
    const fast = new OrcTable({
      ...base,
      version: 1,
      lookup: { bytes: new ArrayTableBytes(lookup), blocks, start, stop },
    });
    for (let k = 0; k < 20000; k++) {
      const at = start + BigInt(Math.floor(Math.random() * text.size));
      expect(fast.findIndex(at)).toBe(slow.findIndex(at));
    }
  });
});

function section(name: string): { addr: bigint; bytes: Uint8Array; size: number } {
  const fd = openSync(VMLINUX, 'r');
  try {
    const eh = Buffer.alloc(64);
    readSync(fd, eh, 0, 64, 0);
    const shoff = Number(eh.readBigUInt64LE(0x28));
    const shentsize = eh.readUInt16LE(0x3a);
    const shnum = eh.readUInt16LE(0x3c);
    const shstrndx = eh.readUInt16LE(0x3e);
    const sh = Buffer.alloc(shentsize * shnum);
    readSync(fd, sh, 0, sh.length, shoff);
    const strOff = Number(sh.readBigUInt64LE(shstrndx * shentsize + 0x18));
    const strs = Buffer.alloc(Number(sh.readBigUInt64LE(shstrndx * shentsize + 0x20)));
    readSync(fd, strs, 0, strs.length, strOff);
    for (let i = 0; i < shnum; i++) {
      const b = i * shentsize;
      const n = strs.toString('latin1', sh.readUInt32LE(b), strs.indexOf(0, sh.readUInt32LE(b)));
      if (n !== name) continue;
      const size = Number(sh.readBigUInt64LE(b + 0x20));
      const bytes = Buffer.alloc(name === '.text' ? 0 : size);
      readSync(fd, bytes, 0, bytes.length, Number(sh.readBigUInt64LE(b + 0x18)));
      return { addr: sh.readBigUInt64LE(b + 0x10), bytes, size };
    }
    throw new Error(`no ${name}`);
  } finally {
    closeSync(fd);
  }
}

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryCodeView } from '../../src/kernel/disasm/code-view.js';
import { decodeInstructions } from '../../src/kernel/disasm/decode.js';
import type { SymbolInfo, SymbolView } from '../../src/model/memory.js';
import { fixture } from '../helpers/shared.js';

interface TextFixture {
  functions: { fn: string; address: string; size: number; file: string }[];
}
const meta = JSON.parse(readFileSync(fixture('memory', 'text.json'), 'utf8')) as TextFixture;
const functions = meta.functions.map((f) => ({
  ...f,
  start: BigInt(f.address),
  bytes: new Uint8Array(readFileSync(fixture('memory', f.file))),
  objdump: readFileSync(fixture('memory', f.file.replace('.bin', '.objdump.txt')), 'utf8'),
}));

/** objdump's lines: address → `mnemonic operands`, whitespace collapsed. */
function objdumpLines(text: string): Map<bigint, string> {
  const out = new Map<bigint, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{16}):\t(?:[0-9a-f]{2} )+\s*\t(.*)$/.exec(line);
    if (m) out.set(BigInt(`0x${m[1]}`), normalise(m[2]!));
  }
  return out;
}

function normalise(text: string): string {
  return text
    .replace(/\s*<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const symbols: SymbolView = {
  lookup(address) {
    const f = functions.find((x) => address >= x.start && address < x.start + BigInt(x.size));
    if (!f) return undefined;
    const symbol: SymbolInfo = { name: f.fn, address: f.start, size: f.size };
    return { symbol, offset: Number(address - f.start) };
  },
  byName: (name) => {
    const f = functions.find((x) => x.fn === name);
    return f ? { name: f.fn, address: f.start, size: f.size } : undefined;
  },
};

describe('decodeInstructions (iced-x86, gdb-style AT&T)', () => {
  for (const f of functions) {
    it(`prints ${f.fn} as objdump (binutils 2.40, the disassembler behind crash's dis) does`, () => {
      const ours = decodeInstructions(f.bytes, f.start, { symbols });
      const reference = objdumpLines(f.objdump);
      expect(ours.length).toBe(reference.size);
      const differ: string[] = [];
      for (const ins of ours) {
        const want = reference.get(ins.address);
        const got = normalise(`${ins.mnemonic} ${ins.operands}`);
        // Padding NOPs: objdump spells their redundant prefixes (`data16 cs nopw`), iced drops them.
        if (want?.replace(/^(data16 |cs )+/, '') === got && /^nop/.test(got)) continue;
        if (got !== want) differ.push(`${ins.address.toString(16)}: ours "${got}" objdump "${want}"`);
      }
      expect(differ).toEqual([]);
    });
  }

  it('parses operands with the shared AT&T parser: memory, immediates, targets, fn+offset', () => {
    const f = functions.find((x) => x.fn === 'native_queued_spin_lock_slowpath')!;
    const list = decodeInstructions(f.bytes, f.start, { symbols });
    const load = list.find((i) => i.offset === 21)!;
    expect(load.mnemonic).toBe('mov');
    expect(load.memory).toEqual({ displacement: 0n, base: 'rbx' });
    const bts = list.find((i) => i.mnemonic === 'lock btsl')!;
    expect(bts.immediate).toBe(8n);
    const jmp = list.find((i) => i.offset === 48)!;
    expect(jmp.target).toBe(f.start + 21n);
    expect(jmp.operands).toBe(`0x${(f.start + 21n).toString(16)} <native_queued_spin_lock_slowpath+21>`);
    expect(load.evidence?.text).toContain('<native_queued_spin_lock_slowpath+21>');
  });

  it('never throws and stays bounded on arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 256 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (bytes, ip) => {
          const list = decodeInstructions(bytes, ip, { maxInstructions: 300 });
          expect(list.length).toBeLessThanOrEqual(bytes.length);
          for (const i of list) expect(i.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('MemoryCodeView', () => {
  const read = (address: bigint, length: number) => {
    for (const f of functions) {
      const off = address - f.start;
      if (off >= 0n && off + BigInt(length) <= BigInt(f.size))
        return f.bytes.subarray(Number(off), Number(off) + length);
    }
    return undefined;
  };

  it('decodes a window from the function start, never mid-instruction', () => {
    const f = functions.find((x) => x.fn === 'native_queued_spin_lock_slowpath')!;
    const code = new MemoryCodeView(read, symbols);
    const rip = f.start + 48n;
    const window = code.around(rip, 30, 10);
    expect(window.map((i) => i.offset)).toEqual([
      21, 23, 25, 27, 31, 33, 35, 36, 37, 39, 41, 42, 43, 44, 45, 46, 48, 50, 56,
    ]);
  });

  it('without symbols resynchronises on the asked address', () => {
    const f = functions.find((x) => x.fn === '__mutex_lock.constprop.0')!;
    const reference = objdumpLines(f.objdump);
    const code = new MemoryCodeView(read);
    const target = [...reference.keys()][40]!;
    const window = code.around(target, 20, 20);
    expect(window.some((i) => i.address === target)).toBe(true);
    const at = window.find((i) => i.address === target)!;
    expect(normalise(`${at.mnemonic} ${at.operands}`)).toBe(reference.get(target));
  });
});

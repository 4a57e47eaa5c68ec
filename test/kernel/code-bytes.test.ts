/**
 * The `Code:` bytes of a console log, decoded (kernel/disasm/code-bytes.ts): checked against
 * objdump's disassembly of the same function read from the vmcore the log came with, and fuzzed.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodeBytesView, decodeCodeBytes } from '../../src/kernel/disasm/code-bytes.js';
import { parseCodeLine } from '../../src/text/console/registers.js';
import { fixture } from '../helpers/shared.js';

const meta = JSON.parse(readFileSync(fixture('memory', 'text.json'), 'utf8')) as {
  functions: { fn: string; address: string; size: number; file: string }[];
};
const slowpath = meta.functions.find((f) => f.fn === 'native_queued_spin_lock_slowpath')!;
const start = BigInt(slowpath.address);
const objdump = new Map<bigint, string>();
for (const line of readFileSync(
  fixture('memory', slowpath.file.replace('.bin', '.objdump.txt')),
  'utf8',
).split('\n')) {
  const m = /^([0-9a-f]{16}):\t(?:[0-9a-f]{2} )+\s*\t(.*)$/.exec(line);
  if (m) objdump.set(BigInt(`0x${m[1]}`), norm(m[2]!));
}

function norm(text: string): string {
  return text
    .replace(/\s*#.*$/, '')
    .replace(/\s*<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('Code: bytes of the abba-spinlock-irqoff log', () => {
  // CPU 1's NMI backtrace: RIP native_queued_spin_lock_slowpath+0x30, the dump's text at the same place.
  const log = readFileSync(fixture('lab', 'abba-spinlock-irqoff', 'vmcore-dmesg.txt'), 'utf8');
  const line = log
    .split('\n')
    .find(
      (l, i, all) =>
        l.includes('Code:') && all[i - 1]!.includes('RIP: 0010:native_queued_spin_lock_slowpath+0x30/'),
    )!;
  const code = parseCodeLine(line)!;
  const rip = start + 0x30n;
  const window = decodeCodeBytes(code, rip, { fn: slowpath.fn, ripOffset: 0x30 })!;

  it('lands an instruction on the marked byte and decodes as objdump did from the vmcore', () => {
    expect(window.instructions.some((i) => i.address === rip)).toBe(true);
    // The printed bytes start mid-instruction (RIP - 42): the stream is in step from the first
    // instruction boundary objdump also has, and stays so through RIP and after it.
    const synced = window.instructions.findIndex((i) => objdump.has(i.address));
    const inStep = window.instructions.slice(synced);
    expect(synced).toBeLessThanOrEqual(1);
    expect(inStep.length).toBeGreaterThan(10);
    for (const ins of inStep) expect(norm(`${ins.mnemonic} ${ins.operands}`)).toBe(objdump.get(ins.address));
  });

  it('names each instruction fn+offset and cites the log line', () => {
    const at = window.instructions.find((i) => i.address === rip)!;
    expect([at.fn, at.offset, at.mnemonic]).toEqual([slowpath.fn, 0x30, 'jmp']);
    expect(at.evidence).toMatchObject({ source: 'log' });
  });

  it('answers around() like a code view', () => {
    const view = new CodeBytesView([window]);
    expect(view.around(rip, 2, 2).map((i) => i.mnemonic)).toEqual(['pause', 'jmp']);
    expect(view.around(rip + 1n, 4, 4)).toEqual([]);
  });
});

describe('decodeCodeBytes on arbitrary bytes', () => {
  it('never throws, and any window it returns has an instruction at the mark', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.nat(400),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1024n }),
        (bytes, mark, rip) => {
          const w = decodeCodeBytes({ bytes: [...bytes], faultIndex: mark }, rip);
          if (w) {
            expect(w.instructions.some((i) => i.address === rip)).toBe(true);
            expect(w.instructions.length).toBeLessThanOrEqual(bytes.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

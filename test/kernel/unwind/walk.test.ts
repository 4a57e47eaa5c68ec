import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBt } from '../../../src/cli/commands/bt-format.js';
import { backtraceFromRegisters } from '../../../src/kernel/unwind/backtrace.js';
import { decodeOrcFlags, detectOrcVersion, newOrcEntry } from '../../../src/kernel/unwind/orc-format.js';
import { OrcTable, OrcTables } from '../../../src/kernel/unwind/orc-table.js';
import { StackMemory } from '../../../src/kernel/unwind/stack-memory.js';
import { ArrayTableBytes } from '../../../src/kernel/unwind/table-bytes.js';
import { toModelStack } from '../../../src/kernel/unwind/to-model.js';
import { type UnwindEnv, walkStack } from '../../../src/kernel/unwind/walk.js';
import { fixture } from '../../helpers/shared.js';
import {
  btfWords,
  excerptTable,
  excerptText,
  loadExcerpt,
  systemMapSymbols,
  wordsReader,
} from './helpers.js';

// abba-spinlock's dump: crash_nmi_callback+0x3c printed at ffffffffae26b39c, System.map has
// crash_nmi_callback at ffffffff8106b360 → the kernel was loaded 0x2d200000 higher.
const KASLR = 0xffffffffae26b39cn - 0x3cn - 0xffffffff8106b360n;

function env(kaslr: bigint): UnwindEnv {
  const tables = new OrcTables();
  tables.add(excerptTable(kaslr), 0xffffffff81000000n + kaslr, 0xffffffff84000000n + kaslr);
  const symbols = systemMapSymbols(kaslr);
  return {
    tables,
    symbols,
    isText: (a) => a >= 0xffffffff81000000n + kaslr && a < 0xffffffff81e01d32n + kaslr,
    step: { spIndirectAddsAfter: true },
    readText: excerptText(kaslr),
  };
}

function crashFrames(text: string): { slot: bigint; fn: string; pc: bigint }[] {
  return [...text.matchAll(/#\d+ \[([0-9a-f]{16})\] (\S+) at ([0-9a-f]{16})/g)].map((m) => ({
    slot: BigInt(`0x${m[1]}`),
    fn: m[2]!,
    pc: BigInt(`0x${m[3]}`),
  }));
}

describe('ORC walk on real stack words (crash bt -f of abba-spinlock panic task)', () => {
  const text = readFileSync(fixture('lab', 'abba-spinlock', 'crash', 'bt-f-panic-task.txt'), 'utf8');
  const words = btfWords(text);
  const expected = crashFrames(text);
  // The hard-irq stack of CPU 1: 16 KiB ending where crash's frame #7 return address lies (…0ff0 + 0x10).
  const irq = { kind: 'irq' as const, start: 0xffffd095800dd000n, end: 0xffffd095800e1000n };

  it('reproduces crash frames #2..#7 (panic … sysvec_apic_timer_interrupt) with their stack slots', () => {
    const e = env(KASLR);
    const mem = new StackMemory(wordsReader(words), [irq]);
    // Frame #1: __crash_kexec at the return address crash printed, SP just above its slot.
    const f1 = expected[1]!;
    const bt = walkStack(
      { ip: f1.pc, sp: f1.slot + 8n, bp: 0n, signal: false },
      { pc: f1.pc, slot: f1.slot, exact: false, reliable: true, how: 'orc' },
      mem,
      e,
    );
    const got = bt.frames.map((f) => ({
      slot: f.slot,
      pc: f.pc,
      fn: e.symbols.lookup(f.pc - 1n)?.symbol.name,
    }));
    expect(got.slice(0, 7)).toEqual(expected.slice(1, 8).map((f) => ({ slot: f.slot, pc: f.pc, fn: f.fn })));
    expect(bt.frames.every((f) => f.stack === 'irq')).toBe(true);
    // Next is the switch back to the task stack: the saved SP at the top of the IRQ stack is not in bt -f.
    expect(bt.truncated).toBe(true);
    expect(bt.stop).toMatch(/saved stack pointer|scan|return address/);
  });

  it('from the NT_PRSTATUS-like registers of __crash_kexec gives the same caller chain', () => {
    const e = env(KASLR);
    const mem = new StackMemory(wordsReader(words), [irq]);
    const f1 = expected[1]!;
    // panic keeps a frame pointer (ORC: CFA = BP+16); its saved-RBP slot is ef8 in the bt -f words,
    // and __crash_kexec leaves RBP alone, so NT_PRSTATUS would hold RBP = …0ef8.
    const rbp = expected[3]!.slot - 8n;
    const bt = backtraceFromRegisters({ rip: f1.pc - 5n, rsp: f1.slot + 8n, rbp, cs: 0x10n }, mem, e);
    const names = bt.frames.map((f) => e.symbols.lookup(f.exact ? f.pc : f.pc - 1n)?.symbol.name);
    expect(names.slice(0, 7)).toEqual(expected.slice(1, 8).map((f) => f.fn));
    // objtool left __crash_kexec without ORC data: panic's frame is found by its call to __crash_kexec.
    expect(bt.frames[1]).toMatchObject({ how: 'call-site', reliable: true, slot: expected[2]!.slot });
    expect(bt.frames.slice(2, 7).every((f) => f.how === 'orc' && f.reliable)).toBe(true);
  });

  it('prints those frames as crash printed them', () => {
    const e = env(KASLR);
    const mem = new StackMemory(wordsReader(words), [irq]);
    const f1 = expected[1]!;
    const bt = walkStack(
      { ip: f1.pc, sp: f1.slot + 8n, bp: 0n, signal: false },
      { pc: f1.pc, slot: f1.slot, exact: false, reliable: true, how: 'orc' },
      mem,
      e,
    );
    bt.frames.unshift({
      pc: expected[0]!.pc,
      slot: expected[0]!.slot,
      exact: false,
      stack: 'irq',
      reliable: true,
      how: 'search',
    });
    const stack = toModelStack(bt, e.symbols, {
      pid: 123,
      cpu: 1,
      comm: 'lab_abba_ab/1',
      task: 0xffff8da4e7f04200n,
    });
    const lines = formatBt(stack).split('\n');
    const crashLines = text.split('\n').filter((l) => /^\s*#\d/.test(l) || l.startsWith('PID:'));
    expect(lines.slice(0, 9)).toEqual(crashLines.slice(0, 9));
    expect(stack.frames[4]).toMatchObject({
      fn: '__hrtimer_run_queues',
      context: 'irq',
      stack: 'IRQ stack',
      reliable: true,
    });
  });

  it('walks the same with the table re-encoded in the v6.4 layout (type 3 bits, signal bit)', () => {
    const x = loadExcerpt();
    const v3 = new Uint8Array(x.orc);
    const view = new DataView(v3.buffer, v3.byteOffset, v3.byteLength);
    for (let i = 0; i < x.count; i++) {
      const e = decodeOrcFlags(view.getUint16(i * 6 + 4, true), 1, newOrcEntry());
      view.setUint16(i * 6 + 4, e.spReg | (e.bpReg << 4) | (e.type << 8) | (e.signal ? 0x800 : 0), true);
    }
    const entries = new ArrayTableBytes(v3);
    const flags = Array.from({ length: x.count }, (_, i) => entries.u16(i * 6 + 4));
    const guess = detectOrcVersion(flags);
    expect(guess.version).toBe(3);
    const tables = new OrcTables();
    const table = new OrcTable({
      name: 'v3',
      ipBytes: new ArrayTableBytes(x.ip),
      ipBase: x.ipBase + KASLR,
      entryBytes: entries,
      count: x.count,
      version: guess.version,
    });
    tables.add(table, 0xffffffff81000000n + KASLR, 0xffffffff84000000n + KASLR);
    const e1 = env(KASLR);
    const e3 = { ...e1, tables };
    const run = (e: UnwindEnv) => {
      const f1 = expected[1]!;
      const mem = new StackMemory(wordsReader(words), [irq]);
      return walkStack(
        { ip: f1.pc, sp: f1.slot + 8n, bp: 0n, signal: false },
        { pc: f1.pc, slot: f1.slot, exact: false, reliable: true, how: 'orc' },
        mem,
        e,
      ).frames;
    };
    expect(run(e3)).toEqual(run(e1));
  });

  it('unwinds a frame-pointer kernel (no ORC tables) along the saved RBP chain', () => {
    const e: UnwindEnv = { ...env(KASLR), tables: new OrcTables(), framePointerKernel: true };
    const syms = e.symbols;
    const ret = (n: string, off: bigint) => syms.byName(n)!.address + off;
    const region = { kind: 'task' as const, start: 0xffffc90000100000n, end: 0xffffc90000104000n };
    // Three frames: each `push %rbp; mov %rsp,%rbp` leaves [saved rbp][return address] at RBP.
    const chain: [bigint, bigint][] = [
      [0xffffc90000103f00n, ret('schedule', 0x59n)],
      [0xffffc90000103f40n, ret('kthread', 0xdan)],
      [0n, ret('ret_from_fork', 0x22n)],
    ];
    const words = new Map<bigint, bigint>();
    let bp = 0xffffc90000103ec0n;
    for (const [next, r] of chain) {
      words.set(bp, next);
      words.set(bp + 8n, r);
      bp = next;
    }
    const mem = new StackMemory(wordsReader(words), [region]);
    const pc = ret('__schedule', 0x34cn);
    const bt = walkStack(
      { ip: pc, sp: 0xffffc90000103e80n, bp: 0xffffc90000103ec0n, signal: true },
      { pc, slot: 0xffffc90000103e80n, exact: true, reliable: true, how: 'regs' },
      mem,
      e,
    );
    const names = bt.frames.map((f) => e.symbols.lookup(f.exact ? f.pc : f.pc - 1n)?.symbol.name);
    expect(names).toEqual(['__schedule', 'schedule', 'kthread', 'ret_from_fork']);
    expect(bt.frames.slice(1).map((f) => [f.how, f.reliable])).toEqual([
      ['fp', true],
      ['fp', true],
      ['fp', true],
    ]);
  });

  it('terminates on arbitrary stack contents and starting points (fast-check)', () => {
    const e = env(KASLR);
    const region = { kind: 'task' as const, start: 0xffffc90000000000n, end: 0xffffc90000004000n };
    const syms = systemMapSymbols(KASLR).all.filter((s) => /[tT]/.test(s.type ?? ''));
    const word = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.bigInt({ min: region.start, max: region.end }),
      fc.constantFrom(...syms.slice(0, 2000).map((s) => s.address + 0x10n)),
    );
    fc.assert(
      fc.property(fc.array(word, { minLength: 2048, maxLength: 2048 }), fc.nat(2047), (stack, startWord) => {
        const m = new Map<bigint, bigint>();
        stack.forEach((v, i) => {
          m.set(region.start + BigInt(i * 8), v);
        });
        const mem = new StackMemory(wordsReader(m), [region]);
        const sp = region.start + BigInt(startWord * 8);
        const bt = walkStack(
          { ip: stack[startWord]!, sp, bp: stack[(startWord + 1) % 2048]!, signal: false },
          { pc: stack[startWord]!, slot: sp, exact: false, reliable: true, how: 'orc' },
          mem,
          e,
        );
        expect(bt.frames.length).toBeLessThanOrEqual(256);
        expect(typeof bt.stop).toBe('string');
      }),
      { numRuns: 60 },
    );
  });
});

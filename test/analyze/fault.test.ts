/**
 * Oopses judged: the address's meaning, the access, the faulting instruction and the register
 * that held the bad pointer. Expected values come from the logs' own lines, the lab module's
 * source (lab/modules/lab_nullderef.c: `w->counter = 0xdead; /* NULL + 8 *\/`) and
 * include/linux/poison.h.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { addressMeaning } from '../../src/analyze/fault-address.js';
import { loadInput } from '../../src/load/load.js';
import { parseConsoleLog } from '../../src/text/console/index.js';
import { labPath } from '../helpers/lab.js';
import { fixture } from '../helpers/shared.js';
import { corpusLog, labLog } from './helpers.js';

describe('what an address says by its value', () => {
  it('NULL plus a field offset, list and slab poison, non-canonical, user half', () => {
    expect(addressMeaning(0x8n)).toMatchObject({
      kind: 'null',
      meaning: expect.stringContaining('offset 0x8'),
    });
    expect(addressMeaning(0xdead000000000100n + 8n).kind).toBe('list-poison');
    expect(addressMeaning(0xdead000000000122n).meaning).toContain('LIST_POISON2');
    expect(addressMeaning(0x6b6b6b6b6b6b6b6bn + 0x10n).kind).toBe('slab-free-poison');
    expect(addressMeaning(0x5a5a5a5a5a5a5a5an).kind).toBe('slab-uninit-poison');
    expect(addressMeaning(0x00616161616161a1n).kind).toBe('non-canonical');
    // The LA57 direct map is canonical with 5-level paging: a page fault there is not "non-canonical".
    expect(addressMeaning(0xff11000012345678n, 'read', true).kind).toBe('kernel');
    expect(addressMeaning(0xff11000012345678n).kind).toBe('non-canonical');
    expect(addressMeaning(0x7f0000001000n).kind).toBe('user');
    expect(addressMeaning(0xfffffffffffffff4n)).toMatchObject({
      kind: 'err-ptr',
      meaning: expect.stringContaining('-12'),
    });
    expect(addressMeaning(0x286n, 'fetch').meaning).toContain('NULL function pointer');
    expect(addressMeaning(0xffffffffc0369fdbn).kind).toBe('kernel');
  });
});

describe('lab null-deref log', () => {
  const { d } = labLog('null-deref');
  const log = readFileSync(fixture('lab', 'null-deref', 'vmcore-dmesg.txt'), 'utf8');
  const address = BigInt(`0x${/NULL pointer dereference, address: ([0-9a-f]+)/.exec(log)![1]}`);

  it('names the NULL struct pointer’s field, the write and the place', () => {
    const v = d.faults![0]!;
    expect(v.address).toBe(address);
    expect(v.addressKind).toBe('null');
    expect(v.access).toBe(/#PF: supervisor (\w+) access/.exec(log)![1]);
    expect(v.where).toBe('lab_nullderef_touch+0x5 [lab_nullderef]');
    expect(d.story).toContain(`NULL + 0x${address.toString(16)}`);
    expect(d.story).toContain('Called from lab_nullderef_thread');
  });
});

const nullDump = labPath('corpus', 'null-deref', 'vmcore.kdump-zlib');
describe.skipIf(!nullDump)('lab null-deref vmcore: the instruction read from the dump’s own text', () => {
  it('decodes the store to NULL + 8 and the register that held NULL', async () => {
    const d = diagnose(await loadInput(nullDump!));
    const v = d.faults![0]!;
    expect(v.instruction).toMatch(/^mov\w* \$0xdead,0x8\(%rdi\)$/);
    const rdi = /RDI: ([0-9a-f]{16})/.exec(
      readFileSync(labPath('corpus', 'null-deref', 'vmcore-dmesg.txt')!, 'utf8'),
    )!;
    expect(v.pointer).toEqual({ register: 'rdi', value: BigInt(`0x${rdi[1]}`), offset: 8n });
  }, 60_000);
});

describe('syzkaller corpus oopses', () => {
  it('list poison (corpus 45): a list entry used after list_del()', () => {
    const { text, d } = corpusLog('45');
    const v = d.faults![0]!;
    expect(text).toContain(v.address!.toString(16));
    expect(v.addressKind).toBe('list-poison');
    expect(d.story).toContain('list_del()');
  });

  it('a KASAN kernel’s GPF (corpus 510): the access range KASAN names, not the shadow address', () => {
    const { text, d } = corpusLog('510');
    const range = /KASAN: null-ptr-deref in range \[(0x[0-9a-f]+)-/.exec(text)!;
    const v = d.faults!.find((f) => f.address !== undefined)!;
    expect(v.address).toBe(BigInt(range[1]!));
    expect(v.addressKind).toBe('null');
    expect(v.pointer).toBeUndefined();
  });
});

describe('review findings, kept fixed', () => {
  it('5.1+ "page fault for address:" gives the address and the access (corpus 515)', () => {
    const { text, d } = corpusLog('515');
    const m = /page fault for address: ([0-9a-f]+)/.exec(text)!;
    const v = d.faults!.find((f) => f.address !== undefined)!;
    expect(v.address).toBe(BigInt(`0x${m[1]}`));
    expect(v.access).toBe(/#PF: supervisor (\w+) access/.exec(text)![1]);
  });

  it('an indexed operand names no single pointer register (corpus 364)', () => {
    const { d } = corpusLog('364');
    for (const f of d.faults ?? []) if (f.instruction?.includes(',8)')) expect(f.pointer).toBeUndefined();
  });

  it('a reserved-bit fault (error code 0x000b) is corrupted page tables, not a read-only page', () => {
    const log = [
      '[ 1.0] BUG: unable to handle page fault for address: ffffffff81000000',
      '[ 1.0] #PF: supervisor write access in kernel mode',
      '[ 1.0] #PF: error_code(0x000b) - reserved bit violation',
      '[ 1.0] Oops: 000b [#1] SMP',
      '[ 1.0] RIP: 0010:foo+0x5/0x20',
    ].join('\n');
    const d = diagnose(parseConsoleLog(log, { path: '<rsvd>', format: 'console-log' }));
    expect(d.story).toContain('A reserved bit is set in a page-table entry');
    expect(d.story).not.toContain('read-only');
  });
});

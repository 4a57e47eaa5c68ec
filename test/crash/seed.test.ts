/**
 * The founding case (test/fixtures/seed): a 2017 forum post, Chinese prose around real crash
 * output. Every expected value below is read off the post itself (line numbers cited) or its English
 * retelling in CASE.md.
 */

import { describe, expect, it } from 'vitest';
import { interruptsDisabled } from '../../src/model/index.js';
import { parseFile, SEED } from './helpers.js';

const crash = parseFile(SEED);

describe('seed transcript: sys', () => {
  it('reads the system facts and the panic (post lines 12-29)', () => {
    const s = crash.system;
    expect(s.panic).toBe('Kernel panic - not syncing: Watchdog detected hard LOCKUP on cpu 10');
    expect(s.release).toBe('3.10.0-327.22.2.el7.x86_64');
    expect(s.cpus).toBe(48);
    expect(s.tasks).toBe(7329);
    expect(s.partialDump).toBe(true);
    expect(s.machine).toBe('x86_64');
    expect(s.cpuMhz).toBe(2199);
    expect(s.uptimeSeconds).toBe(86400 + 9 * 3600 + 43 * 60 + 6);
    expect(s.nodename).toBe('host-10-229-143-10');
    expect(s.dumpDateText).toBe('Wed Oct 18 20:37:18 2017');
    expect(s.dumpDate).toBeUndefined(); // no time zone printed: not guessed
    expect(s.panicPid).toBe(24023);
    expect(s.panicCpu).toBe(10);
    expect(s.panicComm).toBe('fas_readwriter');
    expect(s.memoryBytes).toBeCloseTo(383.6 * 1024 ** 3, -8);
    expect(s.evidence?.[0]?.line).toBe(12);
  });

  it('keeps the annotation off STATE (line 29) and marks the panic task', () => {
    const panicTask = crash.tasks.find((t) => t.pid === 24023)!;
    expect(panicTask.task).toBe(0xffff882f460a2e00n);
    expect(panicTask.threadInfo).toBe(0xffff882f10c44000n);
    expect(panicTask.state).toBe('RU');
    expect(panicTask.panicking).toBe(true);
    expect(panicTask.active).toBe(true);
    expect(panicTask.cpu).toBe(10);
  });
});

describe('seed transcript: bt of the panic task', () => {
  const panic = crash.stacks.find((s) => s.pid === 24023)!;

  it('has the 18 frames #0..#17 with their NMI/task contexts', () => {
    expect(panic.frames).toHaveLength(18);
    expect(panic.frames.map((f) => f.fn)).toEqual([
      'machine_kexec',
      'crash_kexec',
      'panic',
      'watchdog_overflow_callback',
      '__perf_event_overflow',
      'perf_event_overflow',
      'intel_pmu_handle_irq',
      'perf_event_nmi_handler',
      'nmi_handle',
      'do_nmi',
      'end_repeat_nmi',
      'put_compound_page',
      'put_page',
      'get_futex_key',
      'futex_wake',
      'do_futex',
      'sys_futex',
      'system_call_fastpath',
    ]);
    expect(panic.frames.slice(0, 11).every((f) => f.context === 'nmi')).toBe(true);
    expect(panic.frames.slice(11).every((f) => f.context === 'task')).toBe(true);
    expect(panic.frames[13]!.stackAddress).toBe(0xffff882f10c47db0n);
    expect(panic.cpu).toBe(10);
    expect(panic.task).toBe(0xffff882f460a2e00n);
    expect(panic.partial).toBeUndefined();
  });

  it('reads the NMI exception frame: RIP put_compound_page+336, RFLAGS 00000006, R12 = head page', () => {
    expect(panic.exceptions).toHaveLength(1);
    const ex = panic.exceptions[0]!;
    expect(ex.beforeFrame).toBe(11);
    expect(ex.entry).toBe('nmi');
    expect(ex.ripFunction).toBe('put_compound_page');
    expect(ex.ripOffset).toBe(336);
    expect(ex.regs.values.rip).toBe(0xffffffff81178b60n);
    expect(ex.regs.values.rflags).toBe(0x6n);
    expect(interruptsDisabled(ex.regs)).toBe(true);
    expect(ex.regs.values.r12).toBe(0xffffea0123300000n);
    expect(ex.regs.values.rbx).toBe(0xffffea0123302a40n);
    expect(ex.regs.values.orig_rax).toBe(0xffffffffffffffffn);
    expect(ex.regs.values.cs).toBe(0x10n);
    expect(Object.keys(ex.regs.values)).toHaveLength(21);
    expect(ex.evidence?.line).toBe(43);
  });

  it('derives frame offsets from the symbol starts the transcript shows', () => {
    // put_compound_page starts at ffffffff81178b60 - 336; get_futex_key at 0xffffffff810e3a75 - 5 (line 143).
    expect(panic.frames[11]!.offset).toBe(336);
    expect(panic.frames[13]!.offset).toBe(Number(0xffffffff810e3c86n - 0xffffffff810e3a70n));
    expect(panic.frames[12]!.offset).toBeUndefined(); // put_page's start is never printed
  });

  it('merges the pasted bt -f frames #13/#14 (lines 129-141) into the panic stack', () => {
    const words = panic.frameWords!;
    expect(words.map((w) => w.frame)).toEqual([13, 14]);
    expect(words[0]!.words).toHaveLength(11);
    expect(words[0]!.words).toContainEqual({ address: 0xffff882f10c47dc8n, value: 0xffffea0123302a40n });
    expect(words[0]!.words).toContainEqual({ address: 0xffff882f10c47e00n, value: 0xffff882f10c47e68n });
    expect(crash.memory?.readU64(0xffff882f10c47dc8n)).toBe(0xffffea0123302a40n);
    expect(crash.memory?.readU64(0xffff882f10c47e00n)).toBe(0xffff882f10c47e68n);
    expect(crash.memory?.readU32(0xffff882f10c47dc8n)).toBe(0x23302a40);
    expect(crash.memory?.readU64(0xffff882f10c47dd0n + 0x1000n)).toBeUndefined();
    expect(crash.memory?.describe?.(0xffff882f10c47dccn)?.line).toBe(131);
  });

  it('is CPU 10 with the exception registers', () => {
    const cpu10 = crash.cpus.find((c) => c.id === 10)!;
    expect(cpu10.pid).toBe(24023);
    expect(crash.stacks[cpu10.stack!]).toBe(panic);
    expect(cpu10.regs?.values.rflags).toBe(6n);
  });
});

describe('seed transcript: bt 24194 (lines 284-301)', () => {
  const holder = crash.stacks.find((s) => s.pid === 24194)!;

  it('reads the header, nine frames and the user-space register block', () => {
    expect(holder.cpu).toBe(3);
    expect(holder.comm).toBe('fas_readwriter');
    expect(holder.task).toBe(0xffff882ef4e2e780n);
    expect(holder.frames.map((f) => f.fn)).toEqual([
      '__schedule',
      'put_compound_page',
      'put_page',
      'get_futex_key',
      'futex_wait_setup',
      'futex_wait',
      'do_futex',
      'sys_futex',
      'system_call_fastpath',
    ]);
    expect(holder.frames[1]!.address).toBe(0xffffffff81178af5n);
    expect(holder.frames[1]!.offset).toBe(229); // CASE.md step 9
    expect(holder.exceptions).toHaveLength(1);
    const ex = holder.exceptions[0]!;
    expect(ex.entry).toBe('syscall');
    expect(ex.beforeFrame).toBe(9);
    expect(ex.regs.values.rflags).toBe(0x3206n);
    expect(ex.regs.values.orig_rax).toBe(0xcan);
    expect(ex.regs.values.cs).toBe(0x33n);
  });

  it('learns the task stack and thread_info flags 0x88 from struct dumps (lines 310-317)', () => {
    const task = crash.tasks.find((t) => t.pid === 24194)!;
    expect(task.stackBase).toBe(0xffff882ef3924000n);
    expect(task.threadInfo).toBe(0xffff882ef3924000n);
    expect(task.threadFlags).toBe(0x88n);
    expect(task.active).toBeUndefined(); // scheduled out: nothing says it was on a CPU
    expect(task.stack).toBe(crash.stacks.indexOf(holder));
  });
});

describe('seed transcript: grep output of bt -a (lines 263-276)', () => {
  it('turns the 7 grepped frame lines into stacks, one of them the panic stack', () => {
    const partial = crash.stacks.filter((s) => s.partial);
    expect(partial).toHaveLength(6); // #11 at ffff882f10c47d80 is the panic stack's own frame
    for (const s of partial) {
      expect(s.frames).toHaveLength(1);
      expect(s.frames[0]!.fn).toBe('put_compound_page');
      expect(s.exceptions).toHaveLength(1);
      expect(s.exceptions[0]!.ripFunction).toBe('put_compound_page');
      expect(s.exceptions[0]!.beforeFrame).toBe(0);
    }
    const offsets = partial.map((s) => s.frames[0]!.offset).sort();
    expect(offsets).toEqual([332, 332, 336, 336, 336, 336]);
    // the exception line names the same offset as the frame's address
    for (const s of partial) expect(s.exceptions[0]!.ripOffset).toBe(s.frames[0]!.offset);
    expect(partial.map((s) => s.frames[0]!.stackAddress)).toContain(0xffff882ef6d93d80n);
  });

  it('reads the two shell counts with their grep patterns', () => {
    expect(crash.shellCounts).toHaveLength(2);
    const [a, b] = crash.shellCounts;
    expect(a!.count).toBe(34);
    expect(a!.patterns).toEqual([
      { pattern: 'put_compound_page', invert: false },
      { pattern: 'fas_readwriter', invert: false },
    ]);
    expect(b!.count).toBe(69);
    expect(b!.patterns.map((p) => p.pattern)).toEqual(['put_compound_page', 'put_compound_page']);
    expect(a!.evidence?.line).toBe(278);
    expect(b!.evidence?.endLine).toBe(281);
  });
});

describe('seed transcript: pages and structs', () => {
  it('reads both kmem pages with flags and names', () => {
    const tail = crash.pages.find((p) => p.address === 0xffffea0123302a40n)!;
    expect(tail.flags).toBe(0x6fffff00008000n);
    expect(tail.flagNames).toEqual(['tail']);
    expect(tail.physical).toBe(0x48cc0a9000n);
    expect(tail.refcount).toBe(0);
    expect(tail.head).toBe(0xffffea0123300000n); // struct page.first_page, line 157
    const head = crash.pages.find((p) => p.address === 0xffffea0123300000n)!;
    expect(head.flags).toBe(0x6016c60138402cn);
    expect(head.flagNames).toEqual([
      'referenced',
      'uptodate',
      'lru',
      'head',
      'swapbacked',
      'unevictable',
      'mlocked',
      'compound_lock',
    ]);
    expect(head.refcount).toBe(74);
    expect(head.mapping).toBe(0xffff882f74a96701n);
    expect(head.index).toBe(0xa600n);
    expect(head.compoundDtor).toBe('free_compound_page'); // lines 220-223
    expect(crash.pages).toHaveLength(2);
  });

  it("answers the flags word of both pages from memory (kmem FLAGS, struct page's first member)", () => {
    // `mov (%r12),%rax` reads *(head page + 0): the flags crash printed, bit 24 (0x1000000) set
    expect(crash.memory?.readU64(0xffffea0123300000n)).toBe(0x6016c60138402cn);
    expect(crash.memory?.readU64(0xffffea0123302a40n)).toBe(0x6fffff00008000n);
    expect(crash.memory?.describe?.(0xffffea0123300000n)?.line).toBe(163);
    expect(crash.memory?.readU64(0xffffea0123300008n)).toBeUndefined();
  });

  it('keeps struct dumps with dotted paths', () => {
    const count = crash.structs.find((s) => s.fields['_count.counter'] !== undefined)!;
    expect(count.type).toBe('page');
    expect(count.address).toBe(0xffffea0123300000n);
    expect(count.fields['_count.counter']).toBe('74');
    const first = crash.structs.find((s) => s.fields.first_page !== undefined)!;
    expect(first.fields.first_page).toBe('0xffffea0123300000');
    expect(first.address).toBe(0xffffea0123302a40n);
    const ti = crash.structs.find((s) => s.type === 'thread_info')!;
    expect(ti.fields.flags).toBe('0x88');
    expect(ti.address).toBe(0xffff882ef3924000n);
    const p = crash.structs.find((s) => s.expression === '/x 0xffff882f10c47e00-0x38')!;
    expect(p.fields['']).toBe('0xffff882f10c47dc8');
    expect(crash.config.CONFIG_TRANSPARENT_HUGEPAGE).toBe('y');
  });
});

describe('seed transcript: dis', () => {
  const code = crash.code!;

  it('reads the spin loop of put_compound_page with its source lines (lines 246-251)', () => {
    const loop = code.around(0xffffffff81178b60n, 6, 1);
    expect(loop.map((i) => `${i.fn}+${i.offset} ${i.mnemonic} ${i.operands}`)).toEqual([
      'put_compound_page+330 pause ',
      'put_compound_page+332 mov (%r12),%rax',
      'put_compound_page+336 test $0x1000000,%eax',
    ]);
    const mov = loop[1]!;
    expect(mov.memory).toEqual({ base: 'r12', displacement: 0n });
    expect(mov.source).toMatch(/bitops\.h: 319$/);
    expect(loop[2]!.immediate).toBe(0x1000000n);
    expect(loop[2]!.source).toMatch(/bit_spinlock\.h: 30$/);
  });

  it('reads lock btsl $0x18,(%r12) at +232 from dis -l ffffffff81178af5 4 (lines 302-309)', () => {
    const [btsl] = code.around(0xffffffff81178af8n, 0, 1);
    expect(btsl!.mnemonic).toBe('lock btsl');
    expect(btsl!.offset).toBe(232);
    expect(btsl!.immediate).toBe(0x18n);
    expect(btsl!.memory).toEqual({ base: 'r12', displacement: 0n });
    expect(btsl!.length).toBe(7);
    expect(btsl!.evidence?.line).toBe(306);
  });

  it('reads get_futex_key with its branch targets and rbp-relative operands (lines 109-126)', () => {
    const lea = code.around(0xffffffff810e3b7an, 0, 1)[0]!;
    expect(lea.memory).toEqual({ base: 'rbp', displacement: -0x38n });
    const call = code.around(0xffffffff810e3b6an, 0, 1)[0]!;
    expect(call.target).toBe(0xffffffff810653c0n);
    expect(crash.symbols?.byName('get_futex_key')?.address).toBe(0xffffffff810e3a70n);
    expect(crash.symbols?.lookup(0xffffffff81178b5cn)).toMatchObject({
      offset: 332,
      symbol: { name: 'put_compound_page' },
    });
    expect(crash.symbols?.byName('free_compound_page')?.address).toBe(0xffffffff81173140n);
  });
});

describe('seed transcript: what is missing', () => {
  it('says that 47 CPUs and the log are missing, and not that dis is (it is there)', () => {
    const whats = crash.gaps.map((g) => g.what);
    expect(whats).toContain('`bt -a`');
    expect(whats).toContain('`log`');
    expect(whats.some((w) => w.startsWith('`dis'))).toBe(false);
  });

  it('indexes the commands it found', () => {
    const t = crash.transcript!;
    expect(t.find((b) => b.command === 'bt 24194')).toMatchObject({
      via: 'prompt',
      parser: 'bt',
      startLine: 284,
    });
    expect(t.find((b) => b.startLine === 12)).toMatchObject({ via: 'shape', parser: 'sys' });
    expect(t.filter((b) => b.parser === 'shell')).toHaveLength(3);
  });
});

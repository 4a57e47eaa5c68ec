/**
 * More of crash's output shapes, from real crash 8.0.2 runs on the lab vmcores
 * (test/fixtures/crash/<scenario>/, commands in each folder's commands.txt): bt -t/-l/-s/-sx/-F,
 * ps -m/-l, crash pipes, dis of module code with RIP-relative operands, struct and task dumps,
 * kmem of a task_struct, rd -32, sym of an address, runq -t, and crash's error lines.
 */

import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers/shared.js';
import { parseFile, parseText, readText } from './helpers.js';

const abba = (name: string) => fixture('crash', 'abba-spinlock-irqoff', name);
const mutex = (name: string) => fixture('crash', 'mutex-hung', name);

/** The folder's outputs as one prompted session, in commands.txt order. */
function session(dir: (name: string) => string): string {
  const parts: string[] = [];
  for (const line of readText(dir('commands.txt')).split('\n')) {
    const m = /^(.*?)\s+>\s+(\S+)$/.exec(line.trim());
    if (!m) continue;
    parts.push(`crash> ${m[1]}`);
    try {
      parts.push(readText(dir(m[2]!)).replace(/\n$/, ''));
    } catch {
      // the command's file was not kept (see test/fixtures/README.md)
    }
  }
  return parts.join('\n');
}

describe('bt variants', () => {
  it('bt -t: START plus text symbols found on the stack, all but START unreliable', () => {
    const crash = parseFile(abba('bt-t-125.txt'));
    const stack = crash.stacks[0]!;
    expect(stack.pid).toBe(125);
    expect(stack.frames[0]).toMatchObject({ fn: 'crash_nmi_callback', reliable: true });
    expect(stack.frames.slice(1).every((f) => !f.reliable)).toBe(true);
    expect(stack.frames).toHaveLength(1 + 11);
    expect(stack.exceptions[0]!.ripFunction).toBe('native_queued_spin_lock_slowpath');
    expect(stack.frames.filter((f) => f.fn === 'kthread')).toHaveLength(2);
  });

  it('bt -l: source lines go to their frame, the RIP line after the registers to none', () => {
    const crash = parseFile(abba('bt-l-125.txt'));
    const frames = crash.stacks[0]!.frames;
    expect(frames[1]!.source).toBe('debian/build/build_amd64_none_amd64/arch/x86/kernel/nmi.c: 380');
    expect(frames[3]!.source).toBe('/build/reproducible-path/linux-6.1.192/arch/x86/entry/entry_64.S: 1446');
    expect(frames[4]!.source).toBe(
      'debian/build/build_amd64_none_amd64/arch/x86/include/asm/vdso/processor.h: 19',
    );
    expect(frames[6]!.source).toBeUndefined(); // module without debug info
  });

  it('bt -s / -sx: offsets printed in decimal and hex', () => {
    const dec = parseFile(abba('bt-s-126.txt')).stacks[0]!.frames;
    const hex = parseFile(abba('bt-sx-126.txt')).stacks[0]!.frames;
    expect(hex.map((f) => f.offset)).toEqual(dec.map((f) => f.offset));
    expect(hex[4]).toMatchObject({ fn: 'native_queued_spin_lock_slowpath', offset: 0x30 });
    expect(hex[6]).toMatchObject({ fn: 'lab_abba_lock_pair', offset: 0x81, module: 'lab_abba' });
  });

  it('bt -F: symbolic words are skipped, hex words kept at their addresses', () => {
    const crash = parseFile(abba('bt-F-125.txt'));
    const stack = crash.stacks[0]!;
    expect(stack.frames).toHaveLength(10);
    expect(crash.memory!.readU64(0xfffffe0000048eb8n)).toBe(7n);
    expect(crash.memory!.readU64(0xffffd51d40313ed8n)).toBe(0x202n);
    expect(crash.memory!.readU64(0xffffd51d40313ec8n)).toBeUndefined(); // printed as `lab_lock_a`
    expect(crash.memory!.readU64(0xffffd51d40313ef8n)).toBe(0xffffd51d40353bd0n);
  });

  it('bt of a task crash cannot find: the error becomes a gap, not a stack', () => {
    const crash = parseText(session(mutex));
    expect(crash.stacks).toEqual([]);
    expect(crash.gaps.find((g) => g.what === '`bt ffff8de727d78000`')?.why).toBe(
      'crash said: bt: invalid task or pid value: ffff8de727d78000',
    );
    expect(crash.gaps.some((g) => g.why.includes('gdb request failed: p lab_mutex_b.owner'))).toBe(true);
  });
});

describe('ps, runq, kmem, struct, task', () => {
  it('ps -m gives how long ago each task ran; runq -t the same from the runqueue clock', () => {
    const ps = parseFile(abba('ps-m.txt'));
    expect(ps.tasks.find((t) => t.pid === 125)!.lastRunNs).toBe(13_047_000_000);
    const runq = parseFile(abba('runq-t.txt'));
    expect(runq.cpus.map((c) => c.pid)).toEqual([0, 125, 126, 0]);
    // 20050796344 - 7003194860 (runq -t), the 13.047 s ps -m printed
    expect(runq.tasks.find((t) => t.pid === 125)!.lastRunNs).toBe(20050796344 - 7003194860);
  });

  it('ps -l and a grepped ps keep their tasks', () => {
    expect(parseFile(abba('ps-l.txt')).tasks).toHaveLength(6);
    const grepped = parseText(`crash> ps | grep lab_\n${readText(abba('ps-grep.txt'))}`);
    expect(grepped.tasks.map((t) => t.comm)).toEqual(['lab_abba_ab/1', 'lab_abba_ba/2']);
    expect(grepped.tasks.every((t) => t.active)).toBe(true);
  });

  it('a crash pipe ending in wc -l is a count', () => {
    const crash = parseText(session(abba));
    const count = crash.shellCounts.find((c) => c.command.startsWith('bt -a'))!;
    expect(count.count).toBe(4);
    expect(count.patterns).toEqual([{ pattern: 'native_queued_spin_lock_slowpath', invert: false }]);
  });

  it('task 126 and struct task_struct/thread_info fill the task', () => {
    const crash = parseText(session(abba));
    const t126 = crash.tasks.find((t) => t.pid === 126)!;
    expect(t126.stackBase).toBe(0xffffd51d40398000n);
    expect(t126.threadFlags).toBe(16392n);
    expect(t126.onCpu).toBe(true);
    const t125 = crash.tasks.find((t) => t.pid === 125)!;
    expect(t125.stackBase).toBe(0xffffd51d40310000n);
    expect(t125.threadFlags).toBe(0x4008n); // struct thread_info -x at the task's address
    expect(t125.threadInfo).toBe(0xffff8e68c134a100n); // kmem's [THREAD_INFO: …]
    const task = crash.structs.find((s) => s.type === 'task_struct' && s.address === 0xffff8e68c1348000n)!;
    expect(task.fields['usage.refs.counter']).toBe('1');
    expect(task.fields['wake_entry.u_flags']).toBe('48');
  });

  it('kmem of a task_struct: its slab page row', () => {
    const crash = parseText(`crash> kmem ffff8e68c134a100\n${readText(abba('kmem-task-125.txt'))}`);
    expect(crash.pages).toHaveLength(1);
    expect(crash.pages[0]).toMatchObject({
      address: 0xfffff89d0004d280n,
      physical: 0x134a000n,
      flags: 0xfffffc0000000n,
    });
    expect(crash.pages[0]!.flagNames).toBeUndefined();
  });

  it('struct spinlock -x SYMBOL and struct mutex SYMBOL: dumps at the symbol', () => {
    const crash = parseText(session(abba));
    const lock = crash.structs.find((s) => s.type === 'spinlock')!;
    expect(lock.fields['rlock.raw_lock.locked']).toBe('0x1');
    expect(lock.expression).toBe('lab_lock_a');
    const m = parseText(session(mutex)).structs.find((s) => s.type === 'mutex')!;
    expect(m.fields['owner.counter']).toBe('-125451031314431');
    expect(m.fields['wait_list.next']).toBe('0xffffd38cc0323e90');
  });
});

describe('dis, rd, sym', () => {
  it('dis of module code: RIP-relative operands resolved, %gs per-cpu, immediates', () => {
    const crash = parseFile(abba('dis-lock-pair.txt'));
    const code = crash.code!;
    const incl = code.around(0xffffffffc04f7045n, 0, 1)[0]!;
    expect(incl.mnemonic).toBe('lock incl');
    expect(incl.memory).toMatchObject({
      ripRelative: true,
      displacement: 0x237cn,
      absolute: 0xffffffffc04f93c8n,
    });
    // length from the next address: 0x...704c - 0x...7045 = 7, and RIP + 7 + 0x237c is the same address
    expect(incl.length).toBe(7);
    expect(incl.address + 7n + 0x237cn).toBe(0xffffffffc04f93c8n);
    const gs = code.around(0xffffffffc04f7029n, 0, 1)[0]!;
    expect(gs.memory).toMatchObject({ segment: 'gs', ripRelative: true, absolute: 0x199e0n });
    const mov = code.around(0xffffffffc04f7030n, 0, 1)[0]!;
    expect(mov.immediate).toBe(0xffffffffc04f8060n);
    const call = code.around(0xffffffffc04f7021n, 0, 1)[0]!;
    expect(call.target).toBe(0xffffffff89059af0n);
    expect(crash.symbols!.byName('lab_abba_lock_pair')!.address).toBe(0xffffffffc04f7000n);
  });

  it('dis -l around the spin RIP, rd of the stack and of the two locks, sym of the RIP', () => {
    const crash = parseText(session(abba));
    expect(crash.code!.around(0xffffffff8905a164n, 0, 6).map((i) => i.mnemonic)).toEqual([
      'pop',
      'pop',
      'pop',
      'ret',
    ]);
    expect(crash.memory!.readU64(0xffffd51d40313ec8n)).toBe(0xffffffffc04f93c4n);
    expect(crash.memory!.readU64(0xffffd51d40313ef8n)).toBe(0xffffd51d40353bd0n);
    expect(crash.memory!.readU32(0xffffffffc04f93c0n)).toBe(1);
    expect(crash.memory!.readU32(0xffffffffc04f93c4n)).toBe(1);
    expect(crash.memory!.readU64(0xffffffffc04f93c0n)).toBe(0x100000001n);
    const sym = crash.symbols!.lookup(0xffffffff8905a170n)!;
    expect(sym).toMatchObject({
      offset: 48,
      symbol: { name: 'native_queued_spin_lock_slowpath', type: 'T' },
    });
  });
});

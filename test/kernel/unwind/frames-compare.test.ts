import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addScore,
  alignNames,
  baseName,
  dropProvenInline,
  emptyScore,
  interruptedStacksFromLog,
  parseDrgnTasks,
  physicalDrgnFrames,
} from '../../../eval/frames-compare.js';
import { fixture } from '../../helpers/shared.js';
import { systemMapSymbols } from './helpers.js';

const symbols = systemMapSymbols();
const bases = new Set(symbols.all.map((s) => baseName(s.name)));
const resolver = {
  has: (n: string) => bases.has(n),
  nameAt: (n: string, off: number) => {
    const s = symbols.byName(n);
    return s ? symbols.lookup(s.address + BigInt(off) - 1n)?.symbol.name : undefined;
  },
};

describe('frame-match helpers on the lab references', () => {
  const drgn = parseDrgnTasks(readFileSync(fixture('lab', 'mutex-hung', 'drgn-tasks.txt'), 'utf8'));

  it('reads every drgn task and the per-CPU stacks', () => {
    expect(drgn.cpus.map((c) => c.onCpu)).toEqual([0, 1, 2, 3]);
    const ab = drgn.tasks.find((t) => t.comm === 'lab_mutex_ab')!;
    expect(ab.state).toBe('D');
    expect(ab.frames[0]!.name).toBe('context_switch');
  });

  it('drops inline frames, renames assembly frames as kallsyms does, keeps suffix-less names', () => {
    const init = drgn.tasks.find((t) => t.pid === 1)!;
    const p = physicalDrgnFrames(init.frames, resolver);
    // context_switch (inline) and do_syscall_x64 (inline) go; entry_SYSCALL_64+0xa6 is kallsyms' entry_SYSCALL_64_after_hwframe.
    expect(p.names).toEqual([
      '__schedule',
      'schedule',
      'do_wait',
      'kernel_wait4',
      '__do_sys_wait4',
      'do_syscall_64',
      'entry_SYSCALL_64_after_hwframe',
    ]);
    expect(p.stoppedShort).toBe(false);
    const ab = drgn.tasks.find((t) => t.comm === 'lab_mutex_ab')!;
    // `__mutex_lock` only exists as `__mutex_lock.constprop.0`: a physical frame, kept.
    expect(physicalDrgnFrames(ab.frames, resolver).names).toContain('__mutex_lock');
  });

  it('notices where drgn gave up (???)', () => {
    const abba = parseDrgnTasks(readFileSync(fixture('lab', 'abba-spinlock', 'drgn-tasks.txt'), 'utf8'));
    const cpu1 = abba.cpus.find((c) => c.onCpu === 1)!;
    const p = physicalDrgnFrames(cpu1.frames, resolver);
    expect(p.stoppedShort).toBe(true);
    expect(p.names.at(-1)).toBe('sysvec_apic_timer_interrupt');
  });

  it('scores in order and counts frames beyond a short reference', () => {
    expect(alignNames(['a', 'b', 'c'], ['a', 'c'])).toBe(2);
    const s = emptyScore();
    addScore(s, ['a', 'b', 'x', 'y'], ['a', 'b'], true);
    expect(s).toMatchObject({ matched: 2, total: 2, beyond: 2, identicalStacks: 1 });
  });

  it('drops a drgn frame only when the call site proves it inlined', () => {
    const ours = [
      { name: 'native_safe_halt', pc: 0x100n, fnStart: 0xf0n },
      { name: 'amd_e400_idle', pc: 0x205n, fnStart: 0x200n },
    ];
    const drgnNames = ['native_safe_halt', 'default_idle', 'amd_e400_idle'];
    expect(dropProvenInline(ours, drgnNames, () => 0xf0n).proven).toEqual(['default_idle']);
    expect(dropProvenInline(ours, drgnNames, () => 0x999n).names).toEqual(drgnNames);
  });

  it('reads the task part of the panic trace (through the IRQ entry) from the log', () => {
    const log = readFileSync(fixture('lab', 'abba-spinlock', 'vmcore-dmesg.txt'), 'utf8');
    expect(interruptedStacksFromLog(log).get(1)).toEqual([
      'asm_sysvec_apic_timer_interrupt',
      'native_queued_spin_lock_slowpath',
      '_raw_spin_lock',
      'lab_abba_lock_pair',
      'lab_abba_thread_ab',
      'kthread',
      'ret_from_fork',
    ]);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  crashStateFromLetter,
  decodeRflags,
  decodeTaint,
  decodeTaskState,
  decodeThreadFlags,
  parseRelease,
} from '../../../src/kernel/flags/index.js';
import { fixture } from '../../helpers/shared.js';

const seed = readFileSync(fixture('seed', 'hardlockup-put_compound_page.zh.txt'), 'utf8');

describe('parseRelease', () => {
  it('reads numbers and the RHEL tag', () => {
    expect(parseRelease('3.10.0-327.22.2.el7.x86_64')).toMatchObject({
      major: 3,
      minor: 10,
      patch: 0,
      rhel: 7,
    });
    expect(parseRelease('6.1.0-56-amd64')).toMatchObject({ major: 6, minor: 1, patch: 0 });
    expect(parseRelease('6.1.0-56-amd64')?.rhel).toBeUndefined();
    expect(parseRelease('garbage')).toBeUndefined();
  });
});

describe('thread_info flags', () => {
  it('decodes the seed holder’s 0x88 on 3.10 as NEED_RESCHED | SYSCALL_AUDIT (the write-up’s reading)', () => {
    const flags = /flags = (0x[0-9a-f]+),-+换算/.exec(seed)![1]!;
    expect(seed).toContain('#define TIF_NEED_RESCHED 3');
    expect(seed).toContain('#define TIF_SYSCALL_AUDIT 7');
    const decoded = decodeThreadFlags(BigInt(flags), parseRelease('3.10.0-327.22.2.el7.x86_64'));
    expect(decoded?.names).toEqual(['TIF_NEED_RESCHED', 'TIF_SYSCALL_AUDIT']);
    expect(decoded?.unknown).toBe(0n);
  });

  it('uses the 6.x numbering on 6.1, where bit 7 is no longer SYSCALL_AUDIT', () => {
    const decoded = decodeThreadFlags(0x88n, parseRelease('6.1.0-56-amd64'));
    expect(decoded?.names).toEqual(['TIF_NEED_RESCHED']);
    expect(decoded?.unknown).toBe(0x80n);
    expect(decodeThreadFlags(0x10n, parseRelease('6.13.0'))?.names).toEqual(['TIF_NEED_RESCHED_LAZY']);
  });
});

describe('RFLAGS', () => {
  it('reads the seed’s 00000006 as IF clear and the lab idle CPU’s 00000246 as IF set', () => {
    expect(seed).toContain('RFLAGS: 00000006');
    expect(decodeRflags(0x6n)).toMatchObject({ interruptsEnabled: false, names: ['PF'], plausible: true });
    const idle = readFileSync(fixture('lab', 'abba-spinlock-irqoff', 'crash', 'bt-a.txt'), 'utf8');
    expect(idle).toContain('RFLAGS: 00000246');
    expect(decodeRflags(0x246n)).toMatchObject({ interruptsEnabled: true, names: ['PF', 'ZF', 'IF'] });
  });

  it('calls a bogus frame’s RFLAGS (0001ad40, crash warned) implausible', () => {
    expect(decodeRflags(0x1ad40n).plausible).toBe(false);
  });
});

describe('task states', () => {
  it('maps drgn’s letters of the lab tasks to crash ps codes', () => {
    const drgn = readFileSync(fixture('lab', 'mutex-hung', 'drgn-tasks.txt'), 'utf8');
    expect(drgn).toMatch(/COMM lab_mutex_ab {2}STATE D/);
    expect(crashStateFromLetter('D')).toBe('UN');
    expect(crashStateFromLetter('S')).toBe('IN');
    expect(crashStateFromLetter('I')).toBe('ID');
    expect(crashStateFromLetter('R')).toBe('RU');
  });

  it('decodes state bits per version (TASK_IDLE = UNINTERRUPTIBLE|NOLOAD on 6.1)', () => {
    const v61 = parseRelease('6.1.0-56-amd64');
    expect(decodeTaskState(0x402, v61)).toMatchObject({ letter: 'I', crash: 'ID' });
    expect(decodeTaskState(2, v61)).toMatchObject({ letter: 'D', crash: 'UN' });
    expect(decodeTaskState(0, v61)).toMatchObject({ letter: 'R', crash: 'RU', names: ['TASK_RUNNING'] });
    const v310 = parseRelease('3.10.0-327.el7.x86_64');
    expect(decodeTaskState(0, v310, 16)).toMatchObject({ letter: 'Z', crash: 'ZO' });
    expect(decodeTaskState(0, v61, 32)).toMatchObject({ letter: 'Z', crash: 'ZO' });
  });
});

describe('taint', () => {
  it('decodes the lab kernel’s "G           OE"', () => {
    const log = readFileSync(fixture('lab', 'mutex-hung', 'vmcore-dmesg.txt'), 'utf8');
    const taint = /Tainted: ([A-Z ]+?)\s+6\.1/.exec(log)![1]!;
    const decoded = decodeTaint(taint);
    expect(decoded.letters).toBe('GOE');
    expect(decoded.names[1]).toContain('OOT_MODULE');
    expect(decoded.names[2]).toContain('UNSIGNED_MODULE');
  });

  it('finds no letters in the "Not tainted" of a clean kernel (the oom lab log says so)', () => {
    const log = readFileSync(fixture('lab', 'oom', 'vmcore-dmesg.txt'), 'utf8');
    const clean = /Comm: \S+ (?:Kdump: loaded )?(Not tainted) 6\.1/.exec(log)![1]!;
    expect(decodeTaint(clean)).toEqual({ letters: '', names: [] });
  });
});

/**
 * Sessions pasted the way blogs, tickets and mailing lists show them: line numbers copied from a
 * code block, 32-bit ARM and arm64 `bt` shapes, a `bt` of the panic task with no `sys` around it.
 * Inputs are written here in crash's output format, with made-up addresses and names.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/analyze/classify/index.js';
import { diagnose } from '../../src/analyze/diagnose.js';
import { AnalysisRun } from '../../src/analyze/engine.js';
import { looksLikeCrashTranscript } from '../../src/text/crash/index.js';
import { numberPrefixes } from '../../src/text/crash/numbering.js';
import { fixture } from '../helpers/shared.js';
import { parseText, readText, SEED } from './helpers.js';

const PANIC_BT = [
  'crash> bt',
  'PID: 4242   TASK: ffff888012345600  CPU: 3   COMMAND: "bash"',
  ' #0 [ffffc90000a1bb38] machine_kexec at ffffffff8106a1b2',
  ' #1 [ffffc90000a1bb90] __crash_kexec at ffffffff8114f3c1',
  ' #2 [ffffc90000a1bc58] panic at ffffffff81a0c6e4',
  ' #3 [ffffc90000a1bcd8] sysrq_handle_crash at ffffffff815a1b11',
  ' #4 [ffffc90000a1bce0] __handle_sysrq at ffffffff815a1f05',
  ' #5 [ffffc90000a1bd10] write_sysrq_trigger at ffffffff815a2446',
];

describe('line numbers copied from a code block', () => {
  it('reads a numbered session as the session itself', () => {
    const numbered = PANIC_BT.map((l, i) => `${String(i + 1).padStart(3)}  ${l}`).join('\n');
    expect(looksLikeCrashTranscript(numbered)).toBe(true);
    const crash = parseText(numbered);
    expect(crash.stacks[0]?.pid).toBe(4242);
    expect(crash.stacks[0]?.frames.map((f) => f.fn)).toEqual([
      'machine_kexec',
      '__crash_kexec',
      'panic',
      'sysrq_handle_crash',
      '__handle_sysrq',
      'write_sysrq_trigger',
    ]);
  });

  it('gives the seed the same stacks and system facts with or without numbers', () => {
    const seed = readText(SEED);
    const numbered = seed
      .split('\n')
      .map((l, i) => `${i + 1} ${l}`)
      .join('\n');
    const a = parseText(seed);
    const b = parseText(numbered);
    expect(b.system.panic).toBe(a.system.panic);
    expect(b.stacks.map((s) => s.frames.map((f) => f.fn))).toEqual(
      a.stacks.map((s) => s.frames.map((f) => f.fn)),
    );
  });

  it('leaves columns that count up on their own: ps PIDs', () => {
    const ps = [
      '   PID    PPID  CPU       TASK        ST  %MEM     VSZ    RSS  COMM',
      '      1      0   0  ffff888003a10000  IN   0.1  171748  13124  systemd',
      '      2      0   1  ffff888003a12800  IN   0.0       0      0  [kthreadd]',
      '      3      2   0  ffff888003a15000  ID   0.0       0      0  [rcu_gp]',
      '      4      2   0  ffff888003a17800  ID   0.0       0      0  [rcu_par_gp]',
    ];
    expect(numberPrefixes(ps)).toEqual([0, 0, 0, 0, 0]);
    const crash = parseText(['crash> ps', ...ps].join('\n'));
    expect(crash.tasks.map((t) => t.pid)).toEqual([1, 2, 3, 4]);
  });
});

describe('ARM shapes of bt', () => {
  it('reads 32-bit ARM frames `#0 [<pc>] (fn) from [<lr>]`', () => {
    const text = [
      'PID: 77 TASK: c5a2b400 CPU: 1 COMMAND: "kworker/1:2"',
      '#0 [<c08f1a20>] (__schedule) from [<c08f1e40>]',
      '#1 [<c08f1e40>] (schedule+0x40) from [<c08f5c10>]',
      '#2 [<c08f5c10>] (schedule_timeout) from [<c08f2a30>]',
    ].join('\n');
    expect(looksLikeCrashTranscript(text)).toBe(true);
    const stack = parseText(text).stacks[0]!;
    expect(stack.comm).toBe('kworker/1:2');
    expect(stack.frames.map((f) => [f.fn, f.address, f.offset])).toEqual([
      ['__schedule', 0xc08f1a20n, undefined],
      ['schedule', 0xc08f1e40n, 0x40],
      ['schedule_timeout', 0xc08f5c10n, undefined],
    ]);
  });

  it('reads an arm64 exception frame: PC with its symbol, LR, SP, PSTATE, X registers', () => {
    const text = [
      'crash> bt',
      'PID: 901    TASK: ffff0000c1d2e300  CPU: 2   COMMAND: "insmod"',
      ' #0 [ffff80000b2ab8f0] machine_kexec at ffff8000080a2c1c',
      ' #1 [ffff80000b2ab950] __crash_kexec at ffff8000081a8a2c',
      ' #2 [ffff80000b2abae0] crash_kexec at ffff8000081a8b40',
      ' #3 [ffff80000b2abb10] die at ffff800008093f54',
      ' #4 [ffff80000b2abcc0] el1h_64_sync at ffff8000080116f8',
      '     PC: ffff800001230e84  [demo_write+28]',
      '     LR: ffff800001230e70  [demo_probe+24]',
      '     SP: ffff80000b2abd30  PSTATE: 60400005',
      '    X29: ffff80000b2abd30  X28: ffff0000c7a43b80  X27: 0000000000000000',
      '     X2: 0000000000000000   X1: 0000000000000001   X0: 0000000000000000',
      ' #5 [ffff80000b2abd30] demo_write at ffff800001230e80 [demo]',
      ' #6 [ffff80000b2abd40] demo_probe at ffff800001230e6c [demo]',
    ].join('\n');
    const crash = parseText(text);
    const stack = crash.stacks[0]!;
    expect(stack.frames).toHaveLength(7);
    const ex = stack.exceptions[0]!;
    expect(ex.regs.arch).toBe('arm64');
    expect(ex.ripFunction).toBe('demo_write');
    expect(ex.ripOffset).toBe(28);
    expect(ex.regs.values.pc).toBe(0xffff800001230e84n);
    expect(ex.regs.values.x1).toBe(1n);
    expect(ex.entry).toBe('exception');
    const c = new AnalysisRun(crash).get(classify);
    expect(c.kind).toBe('panic');
    expect(c.culprit?.function).toBe('demo_write');
  });

  it('calls an arm64 user-mode register block (PSTATE EL0) a syscall entry', () => {
    const text = [
      'PID: 55     TASK: ffff0000c1d20000  CPU: 0   COMMAND: "sh"',
      ' #0 [ffff80000b2a3e60] __arm64_sys_write at ffff8000082f8dcc',
      ' #1 [ffff80000b2a3ff0] el0_svc at ffff800008e83d04',
      '     PC: 0000ffff9a902bb8   LR: 0000aaaad1c38c40   SP: 0000ffffe2e6f1a0',
      '    X29: 0000ffffe2e6f220  X28: 0000000000000000  X27: 0000000000000000',
      '    ORIG_X0: 0000000000000001  SYSCALLNO: 40  PSTATE: 80000000',
    ].join('\n');
    const ex = parseText(text).stacks[0]!.exceptions[0]!;
    expect(ex.entry).toBe('syscall');
    expect(ex.regs.values.syscallno).toBe(0x40n);
  });
});

describe('a bt of the panic task without sys', () => {
  it('names the panic task and the caller of panic()', () => {
    const crash = parseText(PANIC_BT.join('\n'));
    expect(crash.system.panicPid).toBe(4242);
    expect(crash.system.panicCpu).toBe(3);
    expect(crash.tasks.find((t) => t.pid === 4242)?.panicking).toBe(true);
    const c = new AnalysisRun(crash).get(classify);
    expect(c.kind).toBe('panic');
    expect(c.title).toBe('kernel panic in sysrq_handle_crash');
    expect(c.culprit?.function).toBe('sysrq_handle_crash');
  });

  it('believes no panic task when two stacks pass through panic()', () => {
    const other = PANIC_BT.slice(1).map((l) =>
      l.replace('4242', '4343').replace('CPU: 3', 'CPU: 1').replace('ffff888012345600', 'ffff888012349a00'),
    );
    const crash = parseText([...PANIC_BT, ...other].join('\n'));
    expect(crash.system.panicPid).toBeUndefined();
    expect(new AnalysisRun(crash).get(classify).kind).toBe('none');
  });

  it('finds the panic task from its stack when sys printed a panic string but, as crash’s sys does, no PID', () => {
    const sys = ['crash> sys', '    RELEASE: 6.1.0-99-amd64', '      PANIC: "sysrq triggered crash"'];
    const crash = parseText([...sys, ...PANIC_BT].join('\n'));
    expect(crash.system.panicPid).toBe(4242);
    expect(crash.tasks.find((t) => t.panicking)?.comm).toBe('bash');
  });
});

describe('the usual paste: crash `sys` then `bt -a` (lab sessions)', () => {
  const paste = (scenario: string) =>
    parseText(
      [
        'crash> sys',
        readFileSync(fixture('lab', scenario, 'crash', 'sys.txt'), 'utf8'),
        'crash> bt -a',
        readFileSync(fixture('lab', scenario, 'crash', 'bt-a.txt'), 'utf8'),
      ].join('\n'),
    );

  it('null-deref: the oops task and its faulting function, as the lab module does it', () => {
    const d = diagnose(paste('null-deref'));
    expect(d.classification.culprit?.function).toBe('lab_nullderef_touch');
    expect(d.classification.panic?.comm).toBe('lab_nullderef');
  });

  it('softlockup: titled by where the CPU was stuck, not by the kdump path it stopped in', () => {
    const d = diagnose(paste('softlockup'));
    expect(d.classification.title).toBe('BUG: soft lockup in lab_softlockup_busy_loop');
  });
});

describe('an oops paste without sys: the faulting function past the oops path', () => {
  it('32-bit ARM, module frame `(fn [mod])`', () => {
    const crash = parseText(
      [
        'crash> bt',
        'PID: 1234   TASK: c5a2b400  CPU: 0   COMMAND: "insmod"',
        ' #0 [<c0012c4c>] (machine_kexec) from [<c0077c38>]',
        ' #1 [<c0077c38>] (crash_kexec) from [<c0011a60>]',
        ' #2 [<c0011a60>] (die) from [<c0015de0>]',
        ' #3 [<c0015de0>] (__do_kernel_fault) from [<c0015f8c>]',
        ' #4 [<c0015f8c>] (do_page_fault) from [<c0008400>]',
        ' #5 [<c0008400>] (do_DataAbort) from [<c0011a18>]',
        ' #6 [<c0011a18>] (__dabt_svc) from [<bf000024>]',
        ' #7 [<bf000024>] (demo_init [demo]) from [<c00086d4>]',
        ' #8 [<c00086d4>] (do_one_initcall) from [<c0062e44>]',
      ].join('\n'),
    );
    const c = new AnalysisRun(crash).get(classify);
    expect(c.culprit).toMatchObject({ function: 'demo_init', module: 'demo' });
    expect(c.culprit?.why).toMatch(/oopsed in demo_init/);
  });

  it('arm64, a NULL function pointer: crash prints `PC: 0  [unknown or invalid address]`', () => {
    const crash = parseText(
      [
        'crash> bt',
        'PID: 901    TASK: ffff0000c1d2e300  CPU: 2   COMMAND: "insmod"',
        ' #0 [ffff80000b2ab8f0] machine_kexec at ffff8000080a2c1c',
        ' #1 [ffff80000b2ab950] __crash_kexec at ffff8000081a8a2c',
        ' #2 [ffff80000b2abae0] crash_kexec at ffff8000081a8b40',
        ' #3 [ffff80000b2abb10] die at ffff800008093f54',
        ' #4 [ffff80000b2abc50] el1_abort at ffff800008e80f54',
        ' #5 [ffff80000b2abcc0] el1h_64_sync at ffff8000080116f8',
        '     PC: 0000000000000000  [unknown or invalid address]',
        '     LR: ffff800001230e70  [demo_probe+24]',
        '     SP: ffff80000b2abd30  PSTATE: 60400005',
        ' #6 [ffff80000b2abd40] demo_probe at ffff800001230e6c [demo]',
        ' #7 [ffff80000b2abd80] do_one_initcall at ffff800008014b2c',
      ].join('\n'),
    );
    expect(crash.stacks[0]?.frames.map((f) => f.fn)).toContain('demo_probe');
    expect(new AnalysisRun(crash).get(classify).culprit?.function).toBe('demo_probe');
  });
});

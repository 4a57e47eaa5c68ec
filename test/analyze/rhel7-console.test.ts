/**
 * The founding case as a RHEL 7 (3.10) console would print it: the hard-lockup panic's NMI stack,
 * where the interrupted function shows only as `?` frames before `<<EOE>>` and the markers share a
 * line with a frame. Frame addresses are the seed transcript's own (`bt` of pid 24023); the lines
 * are written in 3.10's format. The log alone must lead to put_compound_page and the THP bug.
 */

import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { parseConsoleLog } from '../../src/text/console/index.js';

const log = [
  '[119785.123456] Kernel panic - not syncing: Watchdog detected hard LOCKUP on cpu 10',
  '[119785.123460] CPU: 10 PID: 24023 Comm: fas_readwriter Tainted: G           OE  ------------   3.10.0-327.22.2.el7.x86_64 #1',
  '[119785.123470] Call Trace:',
  '[119785.123473]  <NMI>  [<ffffffff8163a2f1>] dump_stack+0x19/0x1b',
  '[119785.123480]  [<ffffffff81633baa>] panic+0xd8/0x1e7',
  '[119785.123485]  [<ffffffff8111b1b6>] watchdog_overflow_callback+0x156/0x160',
  '[119785.123490]  [<ffffffff8116d2e1>] __perf_event_overflow+0xa1/0x250',
  '[119785.123510]  [<ffffffff81642f49>] nmi_handle.isra.0+0x69/0xb0',
  '[119785.123515]  [<ffffffff816430f9>] do_nmi+0x169/0x340',
  '[119785.123520]  [<ffffffff81642353>] end_repeat_nmi+0x1e/0x2e',
  '[119785.123525]  [<ffffffff81178b60>] ? put_compound_page+0x150/0x1a0',
  '[119785.123530]  [<ffffffff81178b60>] ? put_compound_page+0x150/0x1a0',
  '[119785.123540]  <<EOE>>  [<ffffffff81178bac>] put_page+0x4c/0x60',
  '[119785.123545]  [<ffffffff810e3c86>] get_futex_key+0x186/0x2a0',
  '[119785.123550]  [<ffffffff810e3f1a>] futex_wake+0x6a/0x170',
  '[119785.123555]  [<ffffffff810e6a12>] do_futex+0x122/0x5b0',
  '[119785.123565]  [<ffffffff81649909>] system_call_fastpath+0x16/0x1b',
].join('\n');

describe('the founding case from a RHEL 7 console log', () => {
  const crash = parseConsoleLog(log, { path: '<rhel7>', format: 'console-log' });
  const d = diagnose(crash);

  it('takes the `?` frames before <<EOE>> as the NMI-interrupted function', () => {
    const stack = crash.reports[0]!.stack!;
    expect(stack.exceptions[0]).toMatchObject({
      entry: 'nmi',
      ripFunction: 'put_compound_page',
      ripOffset: 0x150,
    });
    expect(stack.frames.map((f) => f.fn)).toContain('dump_stack');
  });

  it('tells the hard lockup in put_compound_page under get_futex_key and names the THP bug', () => {
    expect(d.classification.kind).toBe('hard-lockup');
    expect(d.classification.panic?.cpu).toBe(10);
    expect(d.story).toContain('put_compound_page+336');
    expect(d.story).toContain('get_futex_key → put_page → put_compound_page');
    expect(d.knownIssues[0]?.fix?.commit.startsWith('ddc58f27f9ee')).toBe(true);
  });
});

describe('a 3.x oops whose Code: line follows the Call Trace', () => {
  // 3.10's layout (IP:/PGD/Oops lines, RIP with two PCs, `Code:` after the trace); the module and
  // bytes are made up: `c7 47 08 ad de 00 00` is `movl $0xdead,0x8(%rdi)`.
  const oops = [
    '[ 5123.456789] BUG: unable to handle kernel NULL pointer dereference at 0000000000000008',
    '[ 5123.456800] IP: [<ffffffffc05e1234>] lab_touch+0x14/0x30 [labmod]',
    '[ 5123.456815] Oops: 0002 [#1] SMP',
    '[ 5123.456830] CPU: 2 PID: 4321 Comm: labtool Tainted: G           OE  ------------   3.10.0-1160.el7.x86_64 #1',
    '[ 5123.456860] RIP: 0010:[<ffffffffc05e1234>]  [<ffffffffc05e1234>] lab_touch+0x14/0x30 [labmod]',
    '[ 5123.456870] RSP: 0018:ffff8d2a2f2e7e98  EFLAGS: 00010246',
    '[ 5123.456880] RAX: 0000000000000000 RBX: 0000000000000000 RCX: 0000000000000000',
    '[ 5123.456890] RDX: 0000000000000000 RSI: 0000000000000000 RDI: 0000000000000000',
    '[ 5123.456900] Call Trace:',
    '[ 5123.456910]  [<ffffffffc05e1300>] lab_write+0x40/0x60 [labmod]',
    '[ 5123.456920]  [<ffffffffa8a5a21f>] vfs_write+0xbf/0x1f0',
    '[ 5123.456940]  [<ffffffffa8f93f92>] system_call_fastpath+0x25/0x2a',
    '[ 5123.456950] Code: 48 89 e5 53 48 89 fb 48 83 ec 08 e8 00 00 00 00 48 c7 47 08 ad de 00 00 <c7> 47 08 ad de 00 00 48 83 c4 08 5b 5d c3',
    '[ 5123.456960] RIP  [<ffffffffc05e1234>] lab_touch+0x14/0x30 [labmod]',
    '[ 5123.456980] CR2: 0000000000000008',
  ].join('\n');

  it('decodes the faulting instruction and names the NULL register', () => {
    const d = diagnose(parseConsoleLog(oops, { path: '<3.x oops>', format: 'console-log' }));
    expect(d.faults?.[0]).toMatchObject({
      address: 8n,
      access: 'write',
      instruction: 'movl $0xdead,0x8(%rdi)',
      pointer: { register: 'rdi', value: 0n, offset: 8n },
    });
  });
});

/**
 * 3.x kernels (RHEL 7) print traces that syzkaller's corpus, all recent kernels, never shows: the
 * `system_call_fastpath` entry, `RIP: 0010:[<…>]  [<…>] f+0x…`, `SyS_` wrappers. Lines written in
 * those kernels' formats (made-up addresses); the titles follow syzkaller's conventions.
 */

import { describe, expect, it } from 'vitest';
import { classify } from '../../src/analyze/classify/index.js';
import { AnalysisRun } from '../../src/analyze/engine.js';
import { parseConsoleLog } from '../../src/text/console/index.js';

const titleOf = (lines: string[]) =>
  new AnalysisRun(parseConsoleLog(lines.join('\n'), { path: '<3.x>', format: 'console-log' })).get(classify);

describe('3.x traces', () => {
  it('a soft lockup under a syscall ends at system_call_fastpath: the syscall names it', () => {
    const c = titleOf([
      '[12345.678901] NMI watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [java:12345]',
      '[12345.678901] CPU: 3 PID: 12345 Comm: java Tainted: G           OEL ------------   3.10.0-957.el7.x86_64 #1',
      '[12345.678901] RIP: 0010:[<ffffffff81512345>]  [<ffffffff81512345>] native_queued_spin_lock_slowpath+0x126/0x200',
      '[12345.678901] RSP: 0018:ffff88102c9c7d88  EFLAGS: 00000202',
      '[12345.678901] Call Trace:',
      '[12345.678901]  [<ffffffff81b5e0d0>] queued_spin_lock_slowpath+0xb/0xf',
      '[12345.678901]  [<ffffffff81b6c1a7>] _raw_spin_lock+0x37/0x40',
      '[12345.678901]  [<ffffffff814f1234>] futex_wake+0x84/0x170',
      '[12345.678901]  [<ffffffff814f3456>] do_futex+0x106/0x5a0',
      '[12345.678901]  [<ffffffff814f5678>] SyS_futex+0x80/0x190',
      '[12345.678901]  [<ffffffff81b77ddb>] system_call_fastpath+0x22/0x27',
    ]);
    expect(c.title).toBe('BUG: soft lockup in futex');
    expect(c.corrupted).toBe(false);
  });
});

/**
 * WARN_ON reports: the site, what a well-known site means, panic_on_warn, and the caller. Expected
 * values come from the corpus logs' own lines.
 */

import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { parseConsoleLog } from '../../src/text/console/index.js';
import { corpusLog } from './helpers.js';

describe('WARN_ON reports', () => {
  it('a refcount warning (corpus 157): the site, its meaning, panic_on_warn and the caller after it', () => {
    const { text, d } = corpusLog('157');
    const site = / at (lib\/refcount\.c:\d+) (\w+)\+/.exec(text)!;
    const v = d.warnings![0]!;
    expect(v).toMatchObject({ at: site[1], function: site[2], panicOnWarn: true });
    expect(v.meaning).toMatch(/use-after-free/);
    // The caller: the first reliable (no `?`) frame printed after the RIP line.
    const afterRip = text.slice(text.indexOf('RIP: 0010:'));
    const caller = /^\[[^\]]*\]\s+([\w.]+)\+0x/m.exec(afterRip.slice(afterRip.indexOf('\n')))![1];
    expect(d.story).toContain(`It was called from ${caller}`);
  });

  it('3.x prints `WARNING: at file:line fn()`: titled, with the site and the function', () => {
    const log = [
      '[  100.000000] ------------[ cut here ]------------',
      '[  100.000001] WARNING: at net/sched/sch_generic.c:297 dev_watchdog+0x270/0x280()',
      '[  100.000002] NETDEV WATCHDOG: eth0 (e1000e): transmit queue 0 timed out',
      '[  100.000003] Pid: 0, comm: swapper Not tainted 2.6.32-431.el6.x86_64 #1',
      '[  100.000004] Call Trace:',
      '[  100.000005]  <IRQ>  [<ffffffff81071e27>] warn_slowpath_common+0x87/0xc0',
      '[  100.000006]  [<ffffffff81071f16>] warn_slowpath_fmt+0x46/0x50',
      '[  100.000007]  [<ffffffff8147b8eb>] dev_watchdog+0x26b/0x280',
      '[  100.000008]  [<ffffffff81084b07>] run_timer_softirq+0x197/0x340',
      '[  100.000009] ---[ end trace 1b5d0f2a3c7e9d41 ]---',
    ].join('\n');
    const d = diagnose(parseConsoleLog(log, { path: '<3.x>', format: 'console-log' }));
    expect(d.classification.title).toBe('WARNING in dev_watchdog');
    expect(d.warnings?.[0]).toMatchObject({ at: 'net/sched/sch_generic.c:297', function: 'dev_watchdog' });
    expect(d.story).toContain('NETDEV WATCHDOG');
  });
});

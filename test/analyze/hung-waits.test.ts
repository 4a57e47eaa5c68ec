/**
 * Hung tasks: what they sleep on, read from the functions of their own traces (the log is the
 * reference: every function the story names must be in that task's printed trace).
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { waitKindOf } from '../../src/analyze/wait-kinds.js';
import { parseConsoleLog } from '../../src/text/console/index.js';
import { fixture } from '../helpers/shared.js';
import { labLog } from './helpers.js';

describe('what blocked tasks wait for', () => {
  it('four tasks stuck behind the journal and page writeback wait for I/O (corpus 349)', () => {
    const path = fixture('syzkaller', '349');
    const text = readFileSync(path, 'utf8').replace(/^(?:[A-Z]+: .*\n)+\n?/, '');
    const d = diagnose(parseConsoleLog(text, { path, format: 'console-log' }));
    expect(d.story).toMatch(/They wait for I\/O that did not complete/);
    const named = [...d.story!.matchAll(/pid (\d+) in (\w+)/g)];
    expect(named.length).toBeGreaterThanOrEqual(3);
    for (const [, pid, fn] of named) {
      const trace = text.slice(text.indexOf(`:${pid} blocked for more than`));
      expect(trace.slice(0, 4000)).toContain(` ${fn}+0x`);
    }
  });

  it('the lab mutex AB-BA log: a mutex, and where to look next', () => {
    const { d } = labLog('mutex-hung');
    expect(d.story).toMatch(/They wait for a mutex \(pid \d+ in __mutex_lock, pid \d+ in __mutex_lock\)/);
  });

  it('names nothing for a trace without a known wait', () => {
    expect(waitKindOf(['lab_softlockup_busy_loop', 'kthread'])).toBeUndefined();
    expect(waitKindOf(['rwsem_down_write_slowpath', 'down_write', 'do_mmap'])?.kind).toBe('rwsem');
  });
});

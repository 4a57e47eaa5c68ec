/**
 * Classification without a log report: a crash transcript gives only `sys`'s PANIC string and the
 * panic task's `bt`. The seed case (test/fixtures/seed, retold in CASE.md) must come out as its
 * expert did: a hard lockup on CPU 10, pid 24023 fas_readwriter, stuck in put_compound_page+336.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/analyze/classify/index.js';
import { AnalysisRun } from '../../src/analyze/engine.js';
import { emptyCrash } from '../../src/model/index.js';
import { parseCrashTranscript } from '../../src/text/crash/index.js';
import { fixture } from '../helpers/shared.js';

describe('classify without a log report', () => {
  it('the seed transcript: hard lockup in put_compound_page', () => {
    const path = fixture('seed', 'hardlockup-put_compound_page.zh.txt');
    const crash = parseCrashTranscript(readFileSync(path, 'utf8'), { path, format: 'crash-transcript' });
    expect(crash.reports).toHaveLength(0);
    const c = new AnalysisRun(crash).get(classify);
    // CASE.md step 1-2: the panic string, the panic task, the interrupted RIP.
    expect(c.kind).toBe('hard-lockup');
    expect(c.culprit?.function).toBe('put_compound_page');
    expect(c.panic).toMatchObject({
      cpu: 10,
      pid: 24023,
      comm: 'fas_readwriter',
      rip: 'put_compound_page+0x150',
    });
    expect(c.title).toBe('BUG: hard lockup in put_compound_page');
    expect(c.altTitles).toContain('kernel panic: Watchdog detected hard LOCKUP on cpu NUM');
    expect(c.culprit?.evidence.some((e) => e.text?.includes('put_compound_page'))).toBe(true);
  });

  it('no report and no panic string: no crash', () => {
    const c = new AnalysisRun(emptyCrash({ path: 'empty', format: 'console-log' })).get(classify);
    expect(c.kind).toBe('none');
  });
});

/**
 * Lockdep dependency reports: the held and wanted locks and the recorded chain, checked against
 * the report's own lines (its "Chain exists of: A --> B --> C" summary is the reference order).
 */

import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { corpusLog } from './helpers.js';

describe('lockdep: possible circular locking dependency (corpus 185)', () => {
  const { text, crash } = corpusLog('185');
  const report = crash.reports.find((r) => r.lockChain)!;

  it('reads the wanted and held locks from the lines after their announcements', () => {
    const wanted = /is trying to acquire lock:\n.*?\((.+?)\)\{/.exec(text)![1];
    const held = /already holding lock:\n.*?\((.+?)\)\{/.exec(text)![1];
    expect(report.locks?.find((l) => l.role === 'wanted')?.name).toBe(wanted);
    expect(report.locks?.find((l) => l.role === 'held')?.name).toBe(held);
  });

  it('keeps the recorded chain in the order the report summarises it, and tells the inversion', () => {
    const summary = /^\[[^\]]*\]\s+(\S+(?: --> \S+)+)\s*$/m.exec(text)![1]!.split(' --> ');
    expect(report.lockChain).toEqual(summary);
    const d = diagnose(crash);
    expect(d.story).toContain(`the opposite order before: ${summary.join(' → ')}`);
    expect(d.story).toMatch(/^Lockdep: a lock-order inversion that can deadlock/);
  });
});

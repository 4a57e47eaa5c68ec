import { describe, expect, it } from 'vitest';
import { compareRpm, KNOWN_BUGS } from '../../src/analyze/known-bugs/index.js';
import { labTranscript, seedText, transcript } from './helpers.js';

describe('known-bug table', () => {
  it('has the seed first and at least 10 more entries with upstream fix commits', () => {
    expect(KNOWN_BUGS[0]!.fix?.commit).toBe('ddc58f27f9eee9117219936f77e90ad5b2e00e96');
    const withCommit = KNOWN_BUGS.filter((b) => b.fix?.commit);
    expect(withCommit.length).toBeGreaterThanOrEqual(11);
  });

  it('every entry is well formed: unique id, hex commit ≥ 12 digits, a signature, a source', () => {
    const ids = new Set<string>();
    for (const bug of KNOWN_BUGS) {
      expect(ids.has(bug.id), bug.id).toBe(false);
      ids.add(bug.id);
      if (bug.fix) expect(bug.fix.commit, bug.id).toMatch(/^[0-9a-f]{12,40}$/);
      expect(bug.references.length, bug.id).toBeGreaterThan(0);
      for (const r of bug.references) expect(r, bug.id).toMatch(/^https:\/\//);
      const s = bug.signature;
      expect(
        (s.allFunctions?.length ?? 0) + (s.anyFunctions?.length ?? 0) + (s.conditions?.length ?? 0),
        bug.id,
      ).toBeGreaterThan(0);
    }
  });
});

describe('matching', () => {
  it('does not offer the 3.10 THP bug for the lab’s 6.1 lockups', () => {
    for (const scenario of ['bitlock-sched-irqoff', 'abba-spinlock-irqoff', 'softlockup']) {
      const { d } = labTranscript(scenario);
      expect(d.knownIssues.map((k) => k.id)).not.toContain('thp-tail-refcount-compound-lock');
    }
  });

  it('drops the THP match when the kernel is past the fix (same stacks, release 5.4)', () => {
    const text = seedText().replace('RELEASE: 3.10.0-327.22.2.el7.x86_64', 'RELEASE: 5.4.0-100-generic');
    const { d } = transcript(text);
    expect(d.knownIssues.map((k) => k.id)).not.toContain('thp-tail-refcount-compound-lock');
  });

  it('compares RHEL kernel releases by their numeric fields', () => {
    expect(compareRpm('3.10.0-327.22.2.el7.x86_64', '3.10.0-957.12.1.el7')).toBeLessThan(0);
    expect(compareRpm('3.10.0-1160.el7.x86_64', '3.10.0-957.12.1.el7')).toBeGreaterThan(0);
    expect(compareRpm('3.10.0-957.12.1.el7.x86_64', '3.10.0-957.12.1.el7')).toBe(0);
  });
});

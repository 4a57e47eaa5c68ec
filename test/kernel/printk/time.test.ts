import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { formatCrashDate } from '../../../src/kernel/printk/time.js';

const savedTz = process.env.TZ;

describe('formatCrashDate', () => {
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('prints the same date in a UTC process without Intl as Intl prints it for an explicit UTC zone', () => {
    process.env.TZ = 'UTC'; // Node re-reads the zone when TZ is assigned
    expect(new Date(0).getTimezoneOffset()).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 33 }), (t) => {
        expect(formatCrashDate(t)).toBe(formatCrashDate(t, 'UTC'));
      }),
      { numRuns: 2000 },
    );
  });

  it("prints strftime's `%a %b %e %T %Z %Y`, as crash's sys DATE", () => {
    // Checked with date(1): `TZ=… date -d @1764222673`.
    process.env.TZ = 'UTC';
    expect(formatCrashDate(1764222673)).toBe('Thu Nov 27 05:51:13 UTC 2025');
    expect(formatCrashDate(0)).toBe('Thu Jan  1 00:00:00 UTC 1970');
    process.env.TZ = 'America/New_York';
    expect(formatCrashDate(1764222673)).toBe('Thu Nov 27 00:51:13 EST 2025');
  });
});

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetOf, parseInteger, parseVmcoreInfo, sizeOf } from '../../src/kernel/vmcoreinfo.js';
import { fixture } from '../helpers/shared.js';

// A real VMCOREINFO of the lab's Debian 6.1 kernel (test/fixtures/lab/kernel/vmcoreinfo.txt).
const text = readFileSync(fixture('lab', 'kernel', 'vmcoreinfo.txt'), 'latin1');

describe('VMCOREINFO', () => {
  const vi = parseVmcoreInfo(text);
  it('types every kind of entry', () => {
    expect(vi.osRelease).toBe('6.1.0-56-amd64');
    expect(vi.buildId).toBe('eb4fbcd037e7253717950bf2b93bd5566f47c56f');
    expect(vi.pageSize).toBe(4096);
    expect(vi.crashTime).toBe(1795758211);
    expect(vi.kernelOffset).toBe(0xa00000n);
    expect(vi.symbols.get('prb')).toBe(0xffffffff834643e0n);
    expect(vi.numbers.get('phys_base')).toBe(367001600n);
    expect(vi.numbers.get('PAGE_BUDDY_MAPCOUNT_VALUE')).toBe(-129n);
    expect(sizeOf(vi, 'printk_info')).toBe(88);
    expect(offsetOf(vi, 'printk_info', 'caller_id')).toBe(20);
    expect(vi.lengths.get('printk_info_device')).toBe(48);
    expect(vi.problems).toEqual([]);
  });

  it('detects the base of NUMBER values', () => {
    expect(parseInteger('0xffffc90000000000')).toBe(0xffffc90000000000n);
    expect(parseInteger('27')).toBe(27n);
    expect(parseInteger('-257')).toBe(-257n);
    expect(parseInteger('12abc')).toBeUndefined();
  });

  it('never throws on damaged text and keeps what parses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), fc.string({ maxLength: 40 }), (at, junk) => {
        const damaged = text.slice(0, at) + junk + text.slice(at);
        const parsed = parseVmcoreInfo(damaged);
        expect(parsed.symbols.size + parsed.problems.length + parsed.other.size).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});

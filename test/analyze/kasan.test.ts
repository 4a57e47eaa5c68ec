/**
 * KASAN reports judged: the access, the object and the allocation/free paths. Expected values are
 * read from each corpus log's own lines (the reference), not from our output.
 */

import { describe, expect, it } from 'vitest';
import { corpusLog } from './helpers.js';

/** The first function after the allocator frames under a "Allocated by"/"Freed by" line. */
function firstCaller(text: string, label: string, skip: RegExp): string {
  const block = text.slice(text.indexOf(label));
  const frames = [...block.matchAll(/^\[[^\]]*\](?:\[[^\]]*\])?\s+([\w.]+)\+0x/gm)].map((m) => m[1]!);
  return frames.find((f) => !skip.test(f))!;
}
const ALLOCATOR = /save_stack|kasan|kmem_cache|kmalloc|kfree|slab|set_track|stack_trace|kzalloc|rcu|qlist/;

describe('KASAN use-after-free with its object and both stacks (corpus 149)', () => {
  const { text, d } = corpusLog('149');
  const v = d.kasan![0]!;

  it('says what was accessed, where in which object, and the first real allocation and free callers', () => {
    const access = /(Read|Write) of size (\d+) at addr ([0-9a-f]+)/.exec(text)!;
    const object =
      /belongs to the object at ([0-9a-f]+)\s*\n.*which belongs to the cache (\S+) of size (\d+)/.exec(text)!;
    const inside = /located (\d+) bytes inside of\s*\n.*?(\d+)-byte region/.exec(text)!;
    expect(v.bug).toBe('use-after-free');
    expect(d.story).toContain(`a ${access[1]!.toLowerCase()} of ${access[2]} bytes at ${access[3]}`);
    expect(object[3]).toBe(inside[2]); // before 6.1 the region is the cache's whole object
    expect(d.story).toContain(
      `${inside[1]} bytes inside a ${inside[2]}-byte object (cache ${object[2]}) at ${object[1]}`,
    );
    expect(v.allocatedIn?.[0]).toBe(firstCaller(text, 'Allocated by', ALLOCATOR));
    expect(v.freedIn?.[0]).toBe(firstCaller(text, 'Freed by', ALLOCATOR));
  });
});

describe('KASAN out-of-bounds past the end (corpus 650)', () => {
  const { text, d } = corpusLog('650');
  it('says how far past the end of the object', () => {
    const right = /located (\d+) bytes to the right of\s*\n.*?(\d+)-byte region/.exec(text)!;
    expect(d.kasan![0]!.bug).toBe('slab-out-of-bounds');
    expect(d.story).toContain(
      `${right[1]} bytes past the end of a ${right[2]}-byte object (cache kmalloc-512)`,
    );
    expect(d.story).toContain('runs past the end');
  });
});

describe('older KASAN shapes', () => {
  it('before 4.13 the address was on the header line (corpus 106)', () => {
    const { text, crash } = corpusLog('106');
    const addr = / at addr ([0-9a-f]+)/.exec(text)!;
    const r = crash.reports.find((x) => x.access)!;
    expect(r.faultAddress).toBe(BigInt(`0x${addr[1]}`));
    expect(r.access).toEqual({ kind: 'read', size: Number(/of size (\d+) by task/.exec(text)![1]) });
  });

  it('the bug type comes from the matched row when the title fixes it (corpus 216: invalid-free)', () => {
    const { d } = corpusLog('216');
    expect(d.kasan![0]!.bug).toBe('invalid-free');
    expect(d.story).toMatch(/^Invalid free/);
  });
});

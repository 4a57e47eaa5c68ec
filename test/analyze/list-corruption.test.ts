/** CONFIG_DEBUG_LIST reports: the line before the BUG in lib/list_debug.c is read and told. */

import { describe, expect, it } from 'vitest';
import { corpusLog } from './helpers.js';

describe('list corruption', () => {
  for (const n of ['183', '184']) {
    it(`corpus ${n}: the pointer checked, what it should be and what it was, from the log's own line`, () => {
      const { text, d } = corpusLog(n);
      const m = /(list_\w+) corruption\. (\w+->\w+) should be ([0-9a-f]{16}), but was ([0-9a-f]{16})/.exec(
        text,
      )!;
      expect(d.classification.kind).toBe('list-corruption');
      expect(d.story).toContain(`caught by ${m[1]}()`);
      expect(d.story).toContain(`${m[2]} should be ${m[3]} but was ${m[4]}`);
    });
  }
});

import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { loadDump } from '../../src/load/dump.js';
import { buildDocument } from '../../src/report/build.js';
import { lineText } from '../../src/report/document.js';
import { labPath } from '../helpers/lab.js';

const vmcore = labPath('corpus', 'mutex-hung', 'vmcore');

describe.skipIf(!vmcore)('evidence pointers in the text report (lab mutex-hung dump)', () => {
  it('the AB-BA finding names each lock’s proof once, not once per edge of the cycle', () => {
    const crash = loadDump(vmcore!, { kernel: true });
    const evidence = buildDocument(crash, diagnose(crash)).sections.find((s) => s.id === 'evidence')!;
    const items = evidence.blocks.flatMap((b) => (b.type === 'list' ? b.items.map(lineText) : []));
    const cycle = items.find((t) => t.startsWith('AB-BA deadlock'));
    expect(cycle).toBeDefined();
    for (const item of items) {
      const pointers = /\s\[(.*)\]$/.exec(item)?.[1]?.split('; ') ?? [];
      expect(new Set(pointers).size).toBe(pointers.length);
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatEvidence } from '../../src/report/evidence-text.js';
import { repoRoot } from '../helpers/shared.js';

describe('formatEvidence quotes text on one line with single spaces', () => {
  it('the founding transcript’s `dis` line (crash pasted with no-break spaces)', () => {
    const transcript = readFileSync(
      join(repoRoot, 'examples', 'rhel7-hardlockup-put_compound_page.crash.txt'),
      'utf8',
    ).split('\n');
    const text = transcript[246]!;
    expect(text).toContain('<put_compound_page+330>:');
    expect(formatEvidence({ source: 'transcript', line: 247, command: 'dis', text })).toBe(
      'line 247 · `dis` · “0xffffffff81178b5a <put_compound_page+330>: pause”',
    );
  });

  it('a decoded instruction with its tab (as the dump disassembler quotes it)', () => {
    const text = '0xffffffffc0241053 <lab_put_compound_page+83>:\tpause';
    expect(formatEvidence({ source: 'dump', text })).toBe(
      '“0xffffffffc0241053 <lab_put_compound_page+83>: pause”',
    );
  });
});

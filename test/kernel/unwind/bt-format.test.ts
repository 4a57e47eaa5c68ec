import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatBt, registerBlock } from '../../../src/cli/commands/bt-format.js';
import { parseCrashTranscript } from '../../../src/text/crash/index.js';
import { fixture } from '../../helpers/shared.js';

const scenarios = readdirSync(fixture('lab')).filter((d) => !d.includes('.') && d !== 'kernel');

describe('crash-style bt output', () => {
  it.each(scenarios)('%s: crash bt -a, read into the model and printed again, is crash bt -a', (scenario) => {
    const text = readFileSync(fixture('lab', scenario, 'crash', 'bt-a.txt'), 'utf8');
    const crash = parseCrashTranscript(text, { path: 'bt-a.txt', format: 'crash-transcript' });
    const ours = crash.stacks.map((s) => formatBt(s)).join('\n');
    const norm = (t: string) =>
      t
        .split('\n')
        .map((l) => l.trimEnd())
        .filter((l) => l !== '');
    expect(norm(ours)).toEqual(norm(text));
  });

  it('lays out registers as crash does', () => {
    const lines = registerBlock({
      rip: 0xffffffffaec592ebn,
      rsp: 1n,
      rflags: 0x246n,
      r8: 0n,
      rbp: 2n,
      r9: 3n,
      orig_rax: -1n & 0xffffffffffffffffn,
      cs: 0x10n,
      ss: 0x18n,
    });
    expect(lines[0]).toBe('    RIP: ffffffffaec592eb  RSP: 0000000000000001  RFLAGS: 00000246');
    expect(lines[1]).toBe('    RBP: 0000000000000002   R8: 0000000000000000   R9: 0000000000000003');
    expect(lines[2]).toBe('    ORIG_RAX: ffffffffffffffff  CS: 0010  SS: 0018');
  });
});

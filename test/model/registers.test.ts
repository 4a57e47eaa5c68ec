import { describe, expect, it } from 'vitest';
import { interruptsDisabled } from '../../src/model/index.js';

describe('interruptsDisabled', () => {
  it('reads RFLAGS.IF clear as interrupts off (seed: RFLAGS 00000006 in put_compound_page)', () => {
    expect(interruptsDisabled({ values: { rflags: 0x6n } })).toBe(true);
  });
  it('reads RFLAGS 00000246 (idle CPU of the lab dumps) as interrupts on', () => {
    expect(interruptsDisabled({ values: { rflags: 0x246n } })).toBe(false);
  });
  it('reads arm64 PSTATE: the I bit of DAIF masks IRQs (corpus pstates print it as "daif" letters)', () => {
    // The corpus prints `pstate: 80000489 (Nzcv daIf …)` (I set) and `80400005 (Nzcv daif …)` (clear).
    expect(interruptsDisabled({ arch: 'arm64', values: { pstate: 0x80000489n } })).toBe(true);
    expect(interruptsDisabled({ arch: 'arm64', values: { pstate: 0x80400005n } })).toBe(false);
  });
  it('says nothing when RFLAGS is unknown', () => {
    expect(interruptsDisabled({ values: { rip: 1n } })).toBeUndefined();
    expect(interruptsDisabled(undefined)).toBeUndefined();
  });
});

/**
 * What the code just before a return address says about the call that pushed it (x86_64): a direct
 * `call rel32` names its target; `ff /2` forms are indirect calls. Used to check words found by
 * scanning a stack, and to prove that a function is inlined at a call site. Public names:
 * CallSite, callSiteBefore.
 */

import type { ReadVirt } from './table-bytes.js';

export type CallSite = { kind: 'direct'; target: bigint } | { kind: 'indirect' } | { kind: 'none' };

/** The call instruction ending at `ret` (or `none` when the bytes there are not a call / not readable). */
export function callSiteBefore(ret: bigint, readText: ReadVirt): CallSite {
  const code = readText(ret - 7n, 7);
  if (!code) return { kind: 'none' };
  if (code[2] === 0xe8) {
    const rel = new DataView(code.buffer, code.byteOffset + 3, 4).getInt32(0, true);
    return { kind: 'direct', target: (ret + BigInt(rel)) & 0xffffffffffffffffn };
  }
  // ff /2: ff d0+r (2 bytes), 41 ff d0+r / ff 14 24 / ff 55 xx (3), ff 15 rel32 / ff 90+r disp32 (6), ff 94 24 disp32 (7).
  const ffAt = (back: number) => code[7 - back] === 0xff && ((code[8 - back]! >> 3) & 7) === 2;
  return ffAt(2) || ffAt(3) || ffAt(6) || ffAt(7) ? { kind: 'indirect' } : { kind: 'none' };
}

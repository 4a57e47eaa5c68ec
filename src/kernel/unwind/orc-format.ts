/**
 * The x86_64 ORC entry (`struct orc_entry`, arch/x86/include/asm/orc_types.h): 6 packed bytes,
 * `s16 sp_offset; s16 bp_offset;` then a 16-bit word of bitfields whose layout changed twice.
 * Public names: OrcVersion, OrcReg, OrcType, OrcEntry, ORC_ENTRY_SIZE, decodeOrcFlags,
 * detectOrcVersion, orcVersionForRelease.
 *
 * Layouts of the flags word (bit 0 = least significant; the version numbers are ours):
 * - v1, since ee9f8fce9964 ("x86/unwind: Add the ORC unwinder", v4.14):
 *   sp_reg 0-3, bp_reg 4-7, type 8-9 (CALL 0, REGS 1, REGS_PARTIAL 2), end 10.
 * - v2, since ffb1b4a41016 ("x86/unwind/orc: Add 'signal' field to ORC metadata", v6.3):
 *   as v1 but signal 10, end 11.
 * - v3, since fb799447ae29 ("x86,objtool: Split UNWIND_HINT_EMPTY in two", v6.4):
 *   type 8-10 (UNDEFINED 0, END_OF_STACK 1, CALL 2, REGS 3, REGS_PARTIAL 4), signal 11; no `end`.
 *
 * Entries are normalised to the v3 meaning: `type` uses v3 numbers, `signal` is explicit (v1 had
 * none: the unwinder treated every REGS/REGS_PARTIAL frame as a signal frame).
 */

export type OrcVersion = 1 | 2 | 3;

export const ORC_ENTRY_SIZE = 6;

/** Base registers (`ORC_REG_*`), the same numbers in every version. */
export const OrcReg = {
  undefined: 0,
  prevSp: 1,
  dx: 2,
  di: 3,
  bp: 4,
  sp: 5,
  r10: 6,
  r13: 7,
  bpIndirect: 8,
  spIndirect: 9,
} as const;

/** Entry types, v3 numbering. */
export const OrcType = {
  undefined: 0,
  endOfStack: 1,
  call: 2,
  regs: 3,
  regsPartial: 4,
} as const;

export interface OrcEntry {
  spOffset: number;
  bpOffset: number;
  spReg: number;
  bpReg: number;
  /** v3 numbering (OrcType). */
  type: number;
  /** The caller's IP is exact (an interrupted instruction), not a return address. */
  signal: boolean;
}

/**
 * Decodes the flags word into `out` (no allocation on the hot path). v1/v2 entries with an
 * undefined SP register become UNDEFINED or END_OF_STACK (their `end` bit), like v3 spells it.
 */
export function decodeOrcFlags(flags: number, version: OrcVersion, out: OrcEntry): OrcEntry {
  out.spReg = flags & 0xf;
  out.bpReg = (flags >> 4) & 0xf;
  if (version === 3) {
    out.type = (flags >> 8) & 0x7;
    out.signal = (flags & 0x800) !== 0;
    return out;
  }
  const oldType = (flags >> 8) & 0x3;
  const end = version === 1 ? (flags & 0x400) !== 0 : (flags & 0x800) !== 0;
  if (out.spReg === OrcReg.undefined) {
    out.type = end ? OrcType.endOfStack : OrcType.undefined;
    out.signal = false;
    return out;
  }
  out.type =
    oldType === 0 ? OrcType.call : oldType === 1 ? OrcType.regs : oldType === 2 ? OrcType.regsPartial : 7;
  out.signal = version === 2 ? (flags & 0x400) !== 0 : out.type !== OrcType.call;
  return out;
}

export function newOrcEntry(): OrcEntry {
  return { spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: 0, signal: false };
}

/** The format a kernel release string implies (`6.1.0-56-amd64` → 1), or undefined if unparsable. */
export function orcVersionForRelease(release: string | undefined): OrcVersion | undefined {
  const m = /^(\d+)\.(\d+)/.exec(release ?? '');
  if (!m) return undefined;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  if (v >= 6004) return 3;
  if (v >= 6003) return 2;
  return 1;
}

export interface OrcVersionGuess {
  version: OrcVersion;
  /** How it was decided, for notes and `--debug`. */
  why: string;
}

/**
 * Decides the layout from the entries themselves, cross-checked with the release when known.
 * CALL entries dominate every real table (>95%): their type bits read 0 in v1/v2 and 2 in v3.
 * Bit 11 is never set in v1 (unused) but is `end` in v2; so a v1/v2 table with bit 11 set is v2.
 */
export function detectOrcVersion(flagWords: Iterable<number>, release?: string): OrcVersionGuess {
  let total = 0;
  let typeBitsTwo = 0;
  let typeBitsZero = 0;
  let bit11 = 0;
  for (const f of flagWords) {
    total++;
    const t = (f >> 8) & 0x3;
    if (t === 2) typeBitsTwo++;
    else if (t === 0) typeBitsZero++;
    if (f & 0x800) bit11++;
  }
  const byRelease = orcVersionForRelease(release);
  if (total < 16) {
    return byRelease
      ? { version: byRelease, why: `release ${release} (too few entries to check)` }
      : { version: 1, why: 'no release and too few entries: assumed pre-6.3 layout' };
  }
  const data: OrcVersion = typeBitsTwo > typeBitsZero ? 3 : bit11 > 0 ? 2 : 1;
  const stats = `${typeBitsZero}/${total} entries with type bits 0, ${typeBitsTwo} with 2`;
  if (byRelease === undefined) return { version: data, why: `entries (${stats})` };
  if (byRelease === data) return { version: data, why: `release ${release} and entries agree (${stats})` };
  // A v2 table without any `end` bit set looks like v1; the release decides between those two.
  if (data === 1 && byRelease === 2) return { version: 2, why: `release ${release} (v1/v2 alike in data)` };
  return { version: data, why: `entries (${stats}) overrule release ${release}` };
}

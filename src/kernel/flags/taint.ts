/**
 * Kernel taint letters (`Tainted: G           OE`) → TAINT_* names.
 *
 * Public names: `TAINT_LETTERS`, `decodeTaint`.
 *
 * Letters from kernel/panic.c `taint_flags[]` (v6.1); bit 0 prints `P` when set and `G` when clear.
 * `H` (unsupported hardware) and `t` (tech preview) are RHEL additions (bits 28 and 29 in el7/el8).
 */

export const TAINT_LETTERS: Record<string, string> = {
  P: 'TAINT_PROPRIETARY_MODULE',
  G: 'GPL-only modules (not tainted by proprietary code)',
  F: 'TAINT_FORCED_MODULE',
  S: 'TAINT_CPU_OUT_OF_SPEC',
  R: 'TAINT_FORCED_RMMOD',
  M: 'TAINT_MACHINE_CHECK',
  B: 'TAINT_BAD_PAGE',
  U: 'TAINT_USER',
  D: 'TAINT_DIE',
  A: 'TAINT_OVERRIDDEN_ACPI_TABLE',
  W: 'TAINT_WARN',
  C: 'TAINT_CRAP (staging driver)',
  I: 'TAINT_FIRMWARE_WORKAROUND',
  O: 'TAINT_OOT_MODULE (out-of-tree module)',
  E: 'TAINT_UNSIGNED_MODULE',
  L: 'TAINT_SOFTLOCKUP',
  K: 'TAINT_LIVEPATCH',
  X: 'TAINT_AUX',
  T: 'TAINT_RANDSTRUCT',
  N: 'TAINT_TEST',
  H: 'TAINT_HARDWARE_UNSUPPORTED (RHEL)',
  t: 'TAINT_TECH_PREVIEW (RHEL)',
};

/**
 * `G           OE` → names of the letters present (spaces are clear bits). Unknown letters kept as `?X`.
 * `Not tainted` (what the `CPU: … Comm:` line says of a clean kernel) has no letters.
 */
export function decodeTaint(text: string): { letters: string; names: string[] } {
  if (/^\s*not tainted\b/i.test(text)) return { letters: '', names: [] };
  const letters = text.replace(/^\s*Tainted:\s*/i, '').replace(/[^A-Za-z]/g, '');
  const names = [...letters].map((c) => TAINT_LETTERS[c] ?? `?${c}`);
  return { letters, names };
}

/**
 * What is this file? Decided from its first bytes only, so a 300 GB dump costs one small read:
 * dump containers by signature, compressed wrappers, and otherwise text vs binary garbage.
 */

export type Sniffed =
  | { kind: 'empty' }
  | { kind: 'elf'; elfClass: 32 | 64 }
  | { kind: 'kdump'; signature: 'KDUMP   ' | 'DISKDUMP' }
  | { kind: 'flattened' }
  | { kind: 'compressed'; method: 'gzip' | 'xz' | 'zstd' | 'bzip2' | 'lz4' }
  | { kind: 'text' }
  | { kind: 'binary'; reason: string };

const ascii = (head: Uint8Array, offset: number, length: number): string =>
  String.fromCharCode(...head.subarray(offset, offset + length));

export function sniff(head: Uint8Array): Sniffed {
  if (head.length === 0) return { kind: 'empty' };
  if (head[0] === 0x7f && ascii(head, 1, 3) === 'ELF')
    return { kind: 'elf', elfClass: head[4] === 1 ? 32 : 64 };
  const sig8 = ascii(head, 0, 8);
  if (sig8 === 'KDUMP   ' || sig8 === 'DISKDUMP') return { kind: 'kdump', signature: sig8 };
  if (ascii(head, 0, 12) === 'makedumpfile') return { kind: 'flattened' };
  if (head[0] === 0x1f && head[1] === 0x8b) return { kind: 'compressed', method: 'gzip' };
  if (head[0] === 0xfd && ascii(head, 1, 4) === '7zXZ') return { kind: 'compressed', method: 'xz' };
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
    return { kind: 'compressed', method: 'zstd' };
  if (ascii(head, 0, 3) === 'BZh') return { kind: 'compressed', method: 'bzip2' };
  if (head[0] === 0x04 && head[1] === 0x22 && head[2] === 0x4d && head[3] === 0x18)
    return { kind: 'compressed', method: 'lz4' };
  return looksLikeText(head) ? { kind: 'text' } : { kind: 'binary', reason: 'mostly non-text bytes' };
}

/**
 * Serial captures carry some garbage (line noise, NULs from a reset, ANSI escapes), so text is
 * "mostly printable", not "all printable": more than 1 in 20 control bytes, or invalid UTF-8
 * dominating, means binary.
 */
export function looksLikeText(head: Uint8Array): boolean {
  const sample = head.subarray(0, 65536);
  let control = 0;
  for (const byte of sample) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x1b) control++;
    else if (byte === 0x7f) control++;
  }
  if (control * 20 > sample.length) return false;
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(sample);
  let replacement = 0;
  for (const ch of decoded) if (ch === '\ufffd') replacement++;
  return replacement * 10 <= decoded.length;
}

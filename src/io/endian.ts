/** Fixed-width integer readers over byte arrays (little-endian unless the name says `be`). */

const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const u8 = (b: Uint8Array, off: number): number => view(b).getUint8(off);
export const u16 = (b: Uint8Array, off: number): number => view(b).getUint16(off, true);
export const u32 = (b: Uint8Array, off: number): number => view(b).getUint32(off, true);
export const i32 = (b: Uint8Array, off: number): number => view(b).getInt32(off, true);
export const u64 = (b: Uint8Array, off: number): bigint => view(b).getBigUint64(off, true);
export const i64 = (b: Uint8Array, off: number): bigint => view(b).getBigInt64(off, true);
export const i64be = (b: Uint8Array, off: number): bigint => view(b).getBigInt64(off, false);

/** A u64 that must fit a JS number (file offsets, sizes); larger values return NaN-free `Infinity`. */
export function u64n(b: Uint8Array, off: number): number {
  const v = u64(b, off);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
}

/** NUL-terminated text of at most `max` bytes, Latin-1 so any byte sequence decodes. */
export function cString(b: Uint8Array, off: number, max: number): string {
  let end = off;
  const limit = Math.min(b.length, off + max);
  while (end < limit && b[end] !== 0) end++;
  return latin1(b.subarray(off, end));
}

export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
export function utf8Text(b: Uint8Array): string {
  return utf8.decode(b);
}

/**
 * LZO1X decompression (the format of liblzo2's `lzo1x_1_compress`, which makedumpfile `-l` uses).
 * Written here because no maintained npm package decompresses LZO in both Node and a browser
 * (docs/dump-api.md). Every read and write is bounds-checked: corrupt input raises LzoError,
 * never reads or writes outside the buffers, and output never grows past `outputLength`.
 *
 * The stream is a sequence of instructions, each a literal run or a back-reference ("match")
 * followed by 0..3 trailing literals encoded in the low two bits of the match:
 *   0..15 after a match   : M1, 2-byte match within 1 KiB (or 3 bytes at 2..3 KiB after a literal run)
 *   0..15 at state 0      : literal run of 3+ bytes (0 = extended length with 255-steps)
 *   16..31                : M4, distance 16..48 KiB (distance 16 KiB exactly = end of stream)
 *   32..63                : M3, distance up to 16 KiB, extended length
 *   64..255               : M2, 3..8 bytes within 2 KiB
 */

export class LzoError extends Error {}

export function lzo1xDecompress(input: Uint8Array, outputLength: number): Uint8Array {
  const out = new Uint8Array(outputLength);
  let ip = 0;
  let op = 0;
  const inByte = (): number => {
    if (ip >= input.length) throw new LzoError('input overrun');
    return input[ip++]!;
  };
  const le16 = (): number => {
    if (ip + 2 > input.length) throw new LzoError('input overrun');
    const v = input[ip]! | (input[ip + 1]! << 8);
    ip += 2;
    return v;
  };
  const literals = (count: number): void => {
    if (ip + count > input.length) throw new LzoError('input overrun');
    if (op + count > out.length) throw new LzoError('output overrun');
    out.set(input.subarray(ip, ip + count), op);
    ip += count;
    op += count;
  };
  const match = (distance: number, length: number): void => {
    let from = op - distance;
    if (from < 0) throw new LzoError('look-behind overrun');
    if (op + length > out.length) throw new LzoError('output overrun');
    // Byte by byte: the source may overlap the bytes being written (run-length style copies).
    for (let i = 0; i < length; i++) out[op++] = out[from++]!;
  };
  /** Extended length: each zero byte adds 255, the first non-zero byte ends it. */
  const extended = (base: number): number => {
    let zeros = 0;
    let b = inByte();
    while (b === 0) {
      zeros++;
      if (zeros > input.length) throw new LzoError('length overrun');
      b = inByte();
    }
    return base + zeros * 255 + b;
  };

  // state: 0 = after a match with no trailing literals, 1..3 = after 1..3 trailing literals,
  // 4 = after a literal run of 4 or more bytes.
  let state = 0;
  let t = inByte();
  if (t > 17) {
    t -= 17;
    literals(t);
    state = Math.min(t, 4);
    t = inByte();
  }
  for (;;) {
    let trailing: number;
    if (t < 16) {
      if (state === 0) {
        const count = t === 0 ? extended(15) + 3 : t + 3;
        literals(count);
        state = 4;
        t = inByte();
        continue;
      }
      trailing = t & 3;
      const low = inByte();
      if (state !== 4) match(1 + (t >> 2) + (low << 2), 2);
      else match(1 + 0x800 + (t >> 2) + (low << 2), 3);
    } else if (t >= 64) {
      trailing = t & 3;
      const low = inByte();
      match(1 + ((t >> 2) & 7) + (low << 3), (t >> 5) + 1);
    } else if (t >= 32) {
      const length = (t & 31) === 0 ? extended(31) + 2 : (t & 31) + 2;
      const word = le16();
      trailing = word & 3;
      match(1 + (word >> 2), length);
    } else {
      const length = (t & 7) === 0 ? extended(7) + 2 : (t & 7) + 2;
      const word = le16();
      trailing = word & 3;
      const distance = ((t & 8) << 11) + (word >> 2);
      if (distance === 0) {
        if (length !== 3) throw new LzoError('bad end marker');
        break;
      }
      match(distance + 0x4000, length);
    }
    if (trailing > 0) literals(trailing);
    state = trailing;
    t = inByte();
  }
  if (ip !== input.length) throw new LzoError(`${input.length - ip} bytes after the end marker`);
  return op === out.length ? out : out.subarray(0, op);
}

/** A byte source over bytes already in memory (tests, small fixtures, an uploaded file). */

import { type ByteSource, checkRange } from './byte-source.js';

export class BufferSource implements ByteSource {
  readonly size: number;

  constructor(
    private readonly bytes: Uint8Array,
    readonly name = 'buffer',
  ) {
    this.size = bytes.length;
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

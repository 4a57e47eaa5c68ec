/**
 * kallsyms names kept as the kernel stores them: `kallsyms_names` is a sequence of entries
 * `len, token…` (see ./kallsyms.ts for the length bytes), each token byte standing for a string of
 * `kallsyms_token_table`. One pass over the entries records where each one starts and the hash of
 * its name (computed token by token, ./table.ts nameHash); a name's string is made only when asked
 * for. Expanding all ~100k names up front was half of the cost of reading kallsyms, for an
 * analysis that names a few hundred symbols. Public names: KallsymsNames, walkKallsymsNames.
 */

import { corrupt, KtriageError } from '../../errors.js';
import type { MemoryView } from '../../model/memory.js';
import { nameHash, nameHashScale, type SymbolNames } from './table.js';

const NAMES_CHUNK = 256 * 1024;

/**
 * The 256 tokens as strings, and what each contributes to a name's hash: `hash` and `scale`
 * (nameHash and M^length), `tailHash` when it starts an entry (without its first character, the
 * type letter; an entry's first token starts its hash, so no scale is needed there).
 */
export class KallsymsTokens {
  readonly text: string[];
  readonly length: Uint32Array;
  readonly hash: Int32Array;
  readonly scale: Int32Array;
  readonly tailHash: Int32Array;

  constructor(tokens: Uint8Array[]) {
    this.text = tokens.map((t) => String.fromCharCode(...t));
    this.length = Uint32Array.from(tokens, (t) => t.length);
    this.hash = Int32Array.from(this.text, (t) => nameHash(t));
    this.scale = Int32Array.from(this.text, (t) => nameHashScale(t.length));
    this.tailHash = Int32Array.from(this.text, (t) => nameHash(t, Math.min(1, t.length)));
  }
}

export class KallsymsNames implements SymbolNames {
  constructor(
    /** kallsyms_names, as far as the entries go. */
    private readonly bytes: Uint8Array,
    /** Offset in `bytes` of entry i's first token, and one past its last (`ends`). */
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly hashes: Int32Array,
    private readonly tokens: KallsymsTokens,
  ) {}

  /** The entry expanded: its type letter, then its name. */
  private full(index: number): string {
    let s = '';
    for (let p = this.starts[index]!; p < this.ends[index]!; p++) s += this.tokens.text[this.bytes[p]!];
    return s;
  }

  name(index: number): string {
    return this.full(index).slice(1);
  }

  type(index: number): string {
    return this.full(index)[0]!;
  }

  hash(index: number): number {
    return this.hashes[index]!;
  }

  /** Index of the last entry with this name, or -1 (a scan of the hashes: for the decoder's own lookups). */
  lastIndexOf(name: string, count: number): number {
    const h = nameHash(name);
    for (let i = count - 1; i >= 0; i--) if (this.hashes[i] === h && this.name(i) === name) return i;
    return -1;
  }
}

export interface WalkedNames {
  names: KallsymsNames;
  /** Byte offset in kallsyms_names of entries 0, 256, 512, …: what kallsyms_markers[] holds. */
  marks: number[];
}

function need(mem: MemoryView, address: bigint, length: number): Uint8Array {
  const bytes = mem.read(address, length);
  if (!bytes || bytes.length < length) {
    throw new KtriageError(
      'missingData',
      `kallsyms: kallsyms_names at 0x${address.toString(16)} (${length} bytes) is not in the dump`,
    );
  }
  return bytes;
}

/**
 * Walks `count` entries of kallsyms_names; `long` = a length byte with bit 7 set continues in a
 * second byte (v6.1+). Buffers grow with what is actually read, not with kallsyms_num_syms. Two
 * passes (entry bounds while reading, then hashes) keep each loop's state in locals: a buffer
 * shared with a reading closure made the hashing loop four times slower.
 */
export function walkKallsymsNames(
  mem: MemoryView,
  namesAt: bigint,
  count: number,
  tokens: KallsymsTokens,
  long: boolean,
): WalkedNames {
  let read: ReadSoFar = { buf: new Uint8Array(NAMES_CHUNK), have: 0 };
  let buf = read.buf;
  let starts: Uint32Array = new Uint32Array(4096);
  let ends: Uint32Array = new Uint32Array(4096);
  const marks: number[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (pos + 2 > read.have) {
      read = readMore(mem, namesAt, read, pos + 2);
      buf = read.buf;
    }
    if ((i & 0xff) === 0) marks.push(pos);
    let len = buf[pos++]!;
    if (long && len & 0x80) len = (len & 0x7f) | (buf[pos++]! << 7);
    if (pos + len > read.have) {
      read = readMore(mem, namesAt, read, pos + len);
      buf = read.buf;
    }
    if (i >= starts.length) {
      starts = grow32(starts);
      ends = grow32(ends);
    }
    starts[i] = pos;
    pos += len;
    ends[i] = pos;
  }
  const hashes = hashEntries(buf, starts, ends, count, tokens);
  return { names: new KallsymsNames(buf.subarray(0, pos), starts, ends, hashes, tokens), marks };
}

interface ReadSoFar {
  buf: Uint8Array;
  /** Bytes of kallsyms_names in `buf`. */
  have: number;
}

/** Makes the buffer hold at least `end` bytes of kallsyms_names. */
function readMore(mem: MemoryView, namesAt: bigint, read: ReadSoFar, end: number): ReadSoFar {
  let { buf, have } = read;
  while (have < end) {
    const at = namesAt + BigInt(have);
    const chunk = mem.read(at, Math.max(NAMES_CHUNK, end - have)) ?? need(mem, at, end - have);
    if (have + chunk.length > buf.length) buf = grow8(buf, have + chunk.length);
    buf.set(chunk, have);
    have += chunk.length;
  }
  return { buf, have };
}

/** nameHash of each entry's name, token by token; the entry's first character is its type letter. */
function hashEntries(
  buf: Uint8Array,
  starts: Uint32Array,
  ends: Uint32Array,
  count: number,
  tokens: KallsymsTokens,
): Int32Array {
  const { length, hash, scale, tailHash } = tokens;
  const hashes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let pos = starts[i]!;
    const end = ends[i]!;
    while (pos < end && length[buf[pos]!] === 0) pos++;
    if (pos === end) throw corrupt('kallsyms_names', i, `symbol ${i} has no type letter`);
    let h = tailHash[buf[pos++]!]!;
    while (pos < end) {
      const t = buf[pos++]!;
      h = (Math.imul(h, scale[t]!) + hash[t]!) | 0;
    }
    hashes[i] = h;
  }
  return hashes;
}

function grow8(a: Uint8Array, need: number): Uint8Array {
  const b = new Uint8Array(Math.max(a.length * 2, need));
  b.set(a);
  return b;
}

function grow32(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

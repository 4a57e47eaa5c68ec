/**
 * Typed reads of kernel memory through BTF: `readStruct(addr, 'task_struct')` reads the struct's
 * bytes once and decodes fields as they are touched (`t.pid`, `t.thread.sp`, `t.comm`); plus the
 * list_head walk every helper needs. Hot loops should read precomputed offsets instead (see
 * sched/task-layout.ts); this reader is for the occasional, readable access.
 * Public names: TypedMemory, StructValue, FieldValue, STRUCT_ADDRESS, STRUCT_TYPE.
 */

import { KtriageError } from '../../errors.js';
import type { MemoryView } from '../../model/memory.js';
import type { Types } from './layout.js';

const LATIN1 = new TextDecoder('latin1');

export type FieldValue = number | bigint | boolean | string | StructValue | FieldValue[];
export type StructValue = { readonly [field: string]: FieldValue };

/** Keys of a StructValue that give its address and type id. */
export const STRUCT_ADDRESS = '$address';
export const STRUCT_TYPE = '$type';

const MAX_STRUCT = 1 << 20;
const MAX_ARRAY_ELEMENTS = 1 << 16;

export class TypedMemory {
  constructor(
    readonly mem: MemoryView,
    readonly types: Types,
  ) {}

  /** The struct/union at `address` with fields decoded on access; undefined if not in the dump. */
  readStruct(address: bigint, type: string | number): StructValue | undefined {
    const id = typeof type === 'number' ? type : this.types.composite(type);
    if (id === undefined) throw new KtriageError('missingData', `kernel types: no struct ${type}`);
    const size = this.types.sizeof(id);
    if (size === undefined || size > MAX_STRUCT)
      throw new KtriageError('unsupported', `kernel types: ${this.types.spell(id)} has no usable size`);
    const bytes = this.mem.read(address, size);
    if (!bytes) return undefined;
    return this.view(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, address, id);
  }

  private view(data: DataView, base: number, address: bigint, id: number): StructValue {
    const types = this.types;
    const cache = new Map<string, FieldValue>();
    return new Proxy({} as StructValue, {
      get: (_t, prop) => {
        if (typeof prop !== 'string') return undefined;
        if (prop === STRUCT_ADDRESS) return address;
        if (prop === STRUCT_TYPE) return id;
        const hit = cache.get(prop);
        if (hit !== undefined) return hit;
        const m = types.member(id, prop);
        if (!m) return undefined;
        const value = m.bitSize
          ? this.bitfield(data, base, m.bitOffset, m.bitSize, m.type)
          : this.decode(data, base + m.offset, address + BigInt(m.offset), m.type, 0);
        cache.set(prop, value);
        return value;
      },
      has: (_t, prop) => typeof prop === 'string' && types.member(id, prop) !== undefined,
    });
  }

  private decode(data: DataView, at: number, address: bigint, typeId: number, depth: number): FieldValue {
    if (depth > 32) throw new KtriageError('corrupt', 'kernel types: nesting too deep');
    const t = this.types.resolved(typeId);
    switch (t.kind) {
      case 'int':
        if (t.bool) return data.getUint8(at) !== 0;
        return readInt(data, at, t.size, t.signed);
      case 'enum':
      case 'enum64':
        return readInt(data, at, t.size, t.signed);
      case 'ptr':
        return data.getBigUint64(at, true);
      case 'float':
        return t.size === 4 ? data.getFloat32(at, true) : data.getFloat64(at, true);
      case 'struct':
      case 'union':
        return this.view(data, at, address, t.id);
      case 'array': {
        const elem = this.types.resolved(t.type);
        if (elem.kind === 'int' && elem.size === 1 && (elem.char || elem.name === 'char')) {
          let end = at;
          while (end < at + t.nelems && data.getUint8(end) !== 0) end++;
          return LATIN1.decode(new Uint8Array(data.buffer, data.byteOffset + at, end - at));
        }
        const size = this.types.sizeof(t.type) ?? 0;
        if (size === 0) return [];
        const count = Math.min(t.nelems, MAX_ARRAY_ELEMENTS);
        const out: FieldValue[] = [];
        for (let i = 0; i < count && at + (i + 1) * size <= data.byteLength; i++) {
          out.push(this.decode(data, at + i * size, address + BigInt(i * size), t.type, depth + 1));
        }
        return out;
      }
      default:
        return 0;
    }
  }

  private bitfield(
    data: DataView,
    base: number,
    bitOffset: number,
    bits: number,
    typeId: number,
  ): number | bigint {
    const first = base + Math.floor(bitOffset / 8);
    const shift = BigInt(bitOffset % 8);
    let word = 0n;
    const span = Math.ceil(((bitOffset % 8) + bits) / 8);
    for (let i = span - 1; i >= 0; i--) word = (word << 8n) | BigInt(data.getUint8(first + i));
    let v = (word >> shift) & ((1n << BigInt(bits)) - 1n);
    const t = this.types.resolved(typeId);
    if ((t.kind === 'int' || t.kind === 'enum') && t.signed) v = BigInt.asIntN(bits, v);
    return bits <= 32 ? Number(v) : v;
  }

  /**
   * Addresses of the entries of a `list_head` list (`container_of(pos, type, member)`), in order,
   * stopping at the head, at a cycle that skips the head, at an unreadable link, or after `limit`.
   */
  listEntries(head: bigint, memberOffset: number, limit = 1_000_000): bigint[] {
    const out: bigint[] = [];
    const seen = new Set<bigint>();
    let pos = this.mem.readU64(head);
    while (pos !== undefined && pos !== head && out.length < limit && !seen.has(pos) && pos !== 0n) {
      seen.add(pos);
      out.push(pos - BigInt(memberOffset));
      pos = this.mem.readU64(pos);
    }
    return out;
  }
}

function readInt(data: DataView, at: number, size: number, signed: boolean): number | bigint {
  switch (size) {
    case 1:
      return signed ? data.getInt8(at) : data.getUint8(at);
    case 2:
      return signed ? data.getInt16(at, true) : data.getUint16(at, true);
    case 4:
      return signed ? data.getInt32(at, true) : data.getUint32(at, true);
    case 8:
      return signed ? data.getBigInt64(at, true) : data.getBigUint64(at, true);
    default: {
      let v = 0n;
      for (let i = Math.min(size, 16) - 1; i >= 0; i--) v = (v << 8n) | BigInt(data.getUint8(at + i));
      return v;
    }
  }
}

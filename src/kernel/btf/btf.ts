/**
 * A parsed BTF blob: an index of type records built in one pass over the type section, types
 * materialised on first use, names indexed on first lookup. Split BTF (a module's, on top of
 * vmlinux's) continues its base's type ids and string offsets. Public names: Btf.
 *
 * Cost model: parsing touches each record header once (about 10 ms for vmlinux's ~4 MB); nothing
 * else is allocated until asked for.
 */

import { corrupt, KtriageError } from '../../errors.js';
import { BtfKind, KIND_NAMES, readHeader, recordSize } from './format.js';
import type { BtfMember, BtfType } from './types.js';

const TEXT = new TextDecoder('latin1');

/** Kinds whose names are not type names: looked up only when asked for. */
const OTHER_KINDS = new Set<number>([
  BtfKind.func,
  BtfKind.funcProto,
  BtfKind.var,
  BtfKind.datasec,
  BtfKind.declTag,
]);

export class Btf {
  readonly base: Btf | undefined;
  /** First type id defined in this blob (1, or base.typeCount for split BTF). */
  readonly firstId: number;
  /** One past the last type id. */
  readonly typeCount: number;
  private readonly view: DataView;
  private readonly offsets: Uint32Array;
  private readonly strings: string;
  private readonly strBase: number;
  private readonly cache: (BtfType | undefined)[];
  /** Name → ids, split so that struct lookups never pay for the ~70% of types that are functions. */
  private typeNameIndex: Map<string, number[]> | undefined;
  private otherNameIndex: Map<string, number[]> | undefined;

  constructor(bytes: Uint8Array, base?: Btf) {
    this.base = base;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const header = readHeader(this.view);
    this.strings = TEXT.decode(bytes.subarray(header.strStart, header.strEnd));
    if (base === undefined && this.strings.length > 0 && this.strings.charCodeAt(0) !== 0) {
      throw corrupt('BTF string section', header.strStart, 'must start with an empty string');
    }
    this.strBase = base ? base.strBase + base.strings.length : 0;
    this.firstId = base ? base.typeCount : 1;
    this.offsets = this.indexRecords(header.typeStart, header.typeEnd);
    this.typeCount = this.firstId + this.offsets.length;
    this.cache = new Array(this.offsets.length).fill(undefined);
  }

  private indexRecords(start: number, end: number): Uint32Array {
    // Records are at least 12 bytes: the count is bounded by the section size, not by any field.
    const found = new Uint32Array(Math.floor((end - start) / 12));
    let n = 0;
    for (let off = start; off < end; ) {
      if (end - off < 12) throw corrupt('BTF type record', off, `truncated (${end - off} bytes left)`);
      const info = this.view.getUint32(off + 4, true);
      const kind = (info >>> 24) & 0x1f;
      const size = recordSize(kind, info & 0xffff);
      if (size === undefined) throw corrupt('BTF type record', off, `unknown kind ${kind}`);
      if (off + size > end)
        throw corrupt('BTF type record', off, `${size}-byte ${KIND_NAMES[kind]} runs past the section`);
      found[n++] = off;
      off += size;
    }
    return found.slice(0, n);
  }

  /** String at a name offset (offsets of a split blob continue its base's). */
  str(offset: number): string {
    if (offset < this.strBase) return this.base?.str(offset) ?? '';
    const local = offset - this.strBase;
    if (local >= this.strings.length)
      throw corrupt('BTF name', local, `offset past the string section (${this.strings.length})`);
    const end = this.strings.indexOf('\0', local);
    return this.strings.slice(local, end < 0 ? this.strings.length : end);
  }

  /** Kind number of a type without materialising it (0 for void). */
  kindOf(id: number): number {
    if (id === 0) return 0;
    if (id < this.firstId) return this.baseOf(id).kindOf(id);
    return (this.view.getUint32(this.recordOffset(id) + 4, true) >>> 24) & 0x1f;
  }

  /** Name of a type without materialising it. */
  nameOf(id: number): string {
    if (id === 0) return 'void';
    if (id < this.firstId) return this.baseOf(id).nameOf(id);
    return this.str(this.view.getUint32(this.recordOffset(id), true));
  }

  type(id: number): BtfType {
    if (id === 0) return { kind: 'void', id: 0, name: 'void' };
    if (id < this.firstId) return this.baseOf(id).type(id);
    let t = this.cache[id - this.firstId];
    if (t === undefined) {
      t = this.decode(id);
      this.cache[id - this.firstId] = t;
    }
    return t;
  }

  /** All type ids with this name (any kind), base first. */
  idsNamed(name: string): readonly number[] {
    return this.named(name, false);
  }

  /** First type with this name and (optionally) one of these kinds. */
  find(name: string, ...kinds: number[]): number | undefined {
    const typesOnly = kinds.length > 0 && kinds.every((k) => !OTHER_KINDS.has(k));
    for (const id of this.named(name, typesOnly)) {
      if (kinds.length === 0 || kinds.includes(this.kindOf(id))) return id;
    }
    return undefined;
  }

  private named(name: string, typesOnly: boolean): readonly number[] {
    const own = this.ownNamed(name, typesOnly);
    if (!this.base) return own;
    const inBase = this.base.named(name, typesOnly);
    return inBase.length === 0 ? own : own.length === 0 ? inBase : [...inBase, ...own];
  }

  private ownNamed(name: string, typesOnly: boolean): readonly number[] {
    this.typeNameIndex ??= this.buildIndex(false);
    const types = this.typeNameIndex.get(name) ?? [];
    if (typesOnly) return types;
    this.otherNameIndex ??= this.buildIndex(true);
    const other = this.otherNameIndex.get(name);
    return other ? [...types, ...other].sort((a, b) => a - b) : types;
  }

  private buildIndex(others: boolean): Map<string, number[]> {
    const index = new Map<string, number[]>();
    for (let id = this.firstId; id < this.typeCount; id++) {
      const off = this.offsets[id - this.firstId]!;
      const kind = (this.view.getUint32(off + 4, true) >>> 24) & 0x1f;
      if (OTHER_KINDS.has(kind) !== others) continue;
      const nameOff = this.view.getUint32(off, true);
      if (nameOff === 0) continue;
      const name = this.str(nameOff);
      const list = index.get(name);
      if (list) list.push(id);
      else index.set(name, [id]);
    }
    return index;
  }

  private baseOf(id: number): Btf {
    if (!this.base) throw corrupt('BTF type reference', id, 'type id out of range');
    return this.base;
  }

  private recordOffset(id: number): number {
    const off = this.offsets[id - this.firstId];
    if (off === undefined)
      throw corrupt('BTF type reference', id, `type id out of range (have ${this.typeCount - 1})`);
    return off;
  }

  private checkId(id: number, at: number): number {
    if (id >= this.typeCount)
      throw corrupt('BTF type reference', at, `type id ${id} out of range (have ${this.typeCount - 1})`);
    return id;
  }

  private decode(id: number): BtfType {
    const v = this.view;
    const off = this.recordOffset(id);
    const name = this.str(v.getUint32(off, true));
    const info = v.getUint32(off + 4, true);
    const vlen = info & 0xffff;
    const kind = (info >>> 24) & 0x1f;
    const kindFlag = info >>> 31 === 1;
    const sizeOrType = v.getUint32(off + 8, true);
    const ref = () => this.checkId(sizeOrType, off + 8);
    const at = off + 12;
    switch (kind) {
      case BtfKind.int: {
        const enc = v.getUint32(at, true);
        const encoding = (enc >>> 24) & 0xf;
        return {
          kind: 'int',
          id,
          name,
          size: sizeOrType,
          signed: (encoding & 1) !== 0,
          char: (encoding & 2) !== 0,
          bool: (encoding & 4) !== 0,
          bitOffset: (enc >>> 16) & 0xff,
          bits: enc & 0xff,
        };
      }
      case BtfKind.float:
        return { kind: 'float', id, name, size: sizeOrType };
      case BtfKind.ptr:
      case BtfKind.typedef:
      case BtfKind.volatile:
      case BtfKind.const:
      case BtfKind.restrict:
      case BtfKind.typeTag:
        return { kind: KIND_NAMES[kind] as 'ptr', id, name, type: ref() };
      case BtfKind.array:
        return {
          kind: 'array',
          id,
          name,
          type: this.checkId(v.getUint32(at, true), at),
          indexType: this.checkId(v.getUint32(at + 4, true), at + 4),
          nelems: v.getUint32(at + 8, true),
        };
      case BtfKind.struct:
      case BtfKind.union: {
        const members: BtfMember[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const m = at + 12 * i;
          const raw = v.getUint32(m + 8, true);
          members[i] = {
            name: this.str(v.getUint32(m, true)),
            type: this.checkId(v.getUint32(m + 4, true), m + 4),
            bitOffset: kindFlag ? raw & 0xffffff : raw,
            bitSize: kindFlag ? raw >>> 24 : 0,
          };
        }
        return { kind: kind === BtfKind.struct ? 'struct' : 'union', id, name, size: sizeOrType, members };
      }
      case BtfKind.enum:
      case BtfKind.enum64: {
        const wide = kind === BtfKind.enum64;
        const step = wide ? 12 : 8;
        const values = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const e = at + step * i;
          const value = wide
            ? (BigInt(v.getUint32(e + 8, true)) << 32n) | BigInt(v.getUint32(e + 4, true))
            : BigInt(kindFlag ? v.getInt32(e + 4, true) : v.getUint32(e + 4, true));
          values[i] = {
            name: this.str(v.getUint32(e, true)),
            value: wide && kindFlag ? BigInt.asIntN(64, value) : value,
          };
        }
        return { kind: wide ? 'enum64' : 'enum', id, name, size: sizeOrType, signed: kindFlag, values };
      }
      case BtfKind.fwd:
        return { kind: 'fwd', id, name, union: kindFlag };
      case BtfKind.func:
        return { kind: 'func', id, name, type: ref(), linkage: vlen };
      case BtfKind.funcProto: {
        const params: { name: string; type: number }[] = [];
        let variadic = false;
        for (let i = 0; i < vlen; i++) {
          const p = at + 8 * i;
          const pname = this.str(v.getUint32(p, true));
          const ptype = this.checkId(v.getUint32(p + 4, true), p + 4);
          if (i === vlen - 1 && ptype === 0 && pname === '') variadic = true;
          else params.push({ name: pname, type: ptype });
        }
        return { kind: 'func_proto', id, name, type: ref(), params, variadic };
      }
      case BtfKind.var:
        return { kind: 'var', id, name, type: ref(), linkage: v.getUint32(at, true) };
      case BtfKind.datasec: {
        const vars = [];
        for (let i = 0; i < vlen; i++) {
          const s = at + 12 * i;
          vars.push({
            type: this.checkId(v.getUint32(s, true), s),
            offset: v.getUint32(s + 4, true),
            size: v.getUint32(s + 8, true),
          });
        }
        return { kind: 'datasec', id, name, size: sizeOrType, vars };
      }
      case BtfKind.declTag:
        return { kind: 'decl_tag', id, name, type: ref(), componentIdx: v.getInt32(at, true) };
      default:
        throw new KtriageError('corrupt', `BTF type ${id}: unknown kind ${kind}`);
    }
  }
}

/**
 * Test tooling: writes BtfType objects back into the BTF wire format, and cuts a real blob down to
 * the closure of a few root types (pointers to types outside the roots become forward declarations)
 * so that small excerpts of real kernels' BTF can live in test/fixtures.
 */

import type { Btf } from '../../../src/kernel/btf/btf.js';
import { BTF_MAGIC, BtfKind } from '../../../src/kernel/btf/format.js';
import type { BtfType } from '../../../src/kernel/btf/types.js';

const KIND_NUMBER: Record<string, number> = {
  int: BtfKind.int,
  ptr: BtfKind.ptr,
  array: BtfKind.array,
  struct: BtfKind.struct,
  union: BtfKind.union,
  enum: BtfKind.enum,
  fwd: BtfKind.fwd,
  typedef: BtfKind.typedef,
  volatile: BtfKind.volatile,
  const: BtfKind.const,
  restrict: BtfKind.restrict,
  func: BtfKind.func,
  func_proto: BtfKind.funcProto,
  var: BtfKind.var,
  datasec: BtfKind.datasec,
  float: BtfKind.float,
  decl_tag: BtfKind.declTag,
  type_tag: BtfKind.typeTag,
  enum64: BtfKind.enum64,
};

/** Encodes types (ids 1..n in array order) into a BTF blob. */
export function encodeBtf(types: BtfType[]): Uint8Array {
  const strings: string[] = [''];
  const stringOffsets = new Map<string, number>([['', 0]]);
  let strLen = 1;
  const str = (s: string): number => {
    let off = stringOffsets.get(s);
    if (off === undefined) {
      off = strLen;
      stringOffsets.set(s, off);
      strings.push(s);
      strLen += s.length + 1;
    }
    return off;
  };
  const words: number[] = [];
  const rec = (name: string, kind: string, vlen: number, kindFlag: boolean, sizeOrType: number) => {
    words.push(str(name), ((kindFlag ? 1 : 0) << 31) | (KIND_NUMBER[kind]! << 24) | vlen, sizeOrType);
  };
  for (const t of types) {
    switch (t.kind) {
      case 'void':
        throw new Error('void is implicit');
      case 'int':
        rec(t.name, 'int', 0, false, t.size);
        words.push(
          (((t.signed ? 1 : 0) | (t.char ? 2 : 0) | (t.bool ? 4 : 0)) << 24) | (t.bitOffset << 16) | t.bits,
        );
        break;
      case 'float':
        rec(t.name, 'float', 0, false, t.size);
        break;
      case 'ptr':
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
        rec(t.name, t.kind, 0, false, t.type);
        break;
      case 'array':
        rec(t.name, 'array', 0, false, 0);
        words.push(t.type, t.indexType, t.nelems);
        break;
      case 'struct':
      case 'union': {
        const kindFlag = t.members.some((m) => m.bitSize !== 0);
        rec(t.name, t.kind, t.members.length, kindFlag, t.size);
        for (const m of t.members) {
          words.push(str(m.name), m.type, kindFlag ? (m.bitSize << 24) | m.bitOffset : m.bitOffset);
        }
        break;
      }
      case 'enum':
      case 'enum64':
        rec(t.name, t.kind, t.values.length, t.signed, t.size);
        for (const e of t.values) {
          if (t.kind === 'enum') words.push(str(e.name), Number(BigInt.asUintN(32, e.value)));
          else {
            const u = BigInt.asUintN(64, e.value);
            words.push(str(e.name), Number(u & 0xffffffffn), Number(u >> 32n));
          }
        }
        break;
      case 'fwd':
        rec(t.name, 'fwd', 0, t.union, 0);
        break;
      case 'func':
        rec(t.name, 'func', t.linkage, false, t.type);
        break;
      case 'func_proto': {
        const params = t.variadic ? [...t.params, { name: '', type: 0 }] : t.params;
        rec(t.name, 'func_proto', params.length, false, t.type);
        for (const p of params) words.push(str(p.name), p.type);
        break;
      }
      case 'var':
        rec(t.name, 'var', 0, false, t.type);
        words.push(t.linkage);
        break;
      case 'datasec':
        rec(t.name, 'datasec', t.vars.length, false, t.size);
        for (const v of t.vars) words.push(v.type, v.offset, v.size);
        break;
      case 'decl_tag':
        rec(t.name, 'decl_tag', 0, false, t.type);
        words.push(t.componentIdx >>> 0);
        break;
    }
  }
  const typeLen = words.length * 4;
  const out = new Uint8Array(24 + typeLen + strLen);
  const v = new DataView(out.buffer);
  v.setUint16(0, BTF_MAGIC, true);
  v.setUint8(2, 1);
  v.setUint32(4, 24, true);
  v.setUint32(8, 0, true);
  v.setUint32(12, typeLen, true);
  v.setUint32(16, typeLen, true);
  v.setUint32(20, strLen, true);
  for (let i = 0; i < words.length; i++) v.setUint32(24 + 4 * i, words[i]! >>> 0, true);
  let off = 24 + typeLen;
  for (const s of strings) {
    for (let i = 0; i < s.length; i++) out[off++] = s.charCodeAt(i);
    out[off++] = 0;
  }
  return out;
}

/** Ids a type refers to. */
function refs(t: BtfType): number[] {
  switch (t.kind) {
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
    case 'func':
    case 'var':
    case 'decl_tag':
      return [t.type];
    case 'array':
      return [t.type, t.indexType];
    case 'struct':
    case 'union':
      return t.members.map((m) => m.type);
    case 'func_proto':
      return [t.type, ...t.params.map((p) => p.type)];
    case 'datasec':
      return t.vars.map((v) => v.type);
    default:
      return [];
  }
}

/**
 * The closure of `roots` in `btf`, renumbered from 1. A pointer to a struct/union that is not a root
 * points at a forward declaration of it instead, which keeps the excerpt small.
 */
export function subsetBtf(btf: Btf, roots: number[]): BtfType[] {
  const keep = new Set(roots);
  const order: number[] = [];
  const fwdFor = new Map<number, number>();
  const extra: BtfType[] = [];
  const queue = [...roots];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (id === 0 || seen.has(id)) continue;
    seen.add(id);
    order.push(id);
    const t = btf.type(id);
    for (const r of refs(t)) {
      if (t.kind === 'ptr' && !keep.has(r)) {
        const target = btf.type(r);
        if ((target.kind === 'struct' || target.kind === 'union') && target.name !== '') {
          if (!fwdFor.has(r)) {
            fwdFor.set(r, -1 - extra.length);
            extra.push({ kind: 'fwd', id: 0, name: target.name, union: target.kind === 'union' });
          }
          continue;
        }
      }
      queue.push(r);
    }
  }
  const newId = new Map<number, number>();
  for (let i = 0; i < order.length; i++) newId.set(order[i]!, i + 1);
  const fwdBase = order.length + 1;
  const map = (id: number, viaPtr = false): number => {
    if (id === 0) return 0;
    if (viaPtr && fwdFor.has(id)) return fwdBase + (-1 - fwdFor.get(id)!);
    const n = newId.get(id);
    if (n === undefined) throw new Error(`type ${id} not in subset`);
    return n;
  };
  const out: BtfType[] = order.map((id) => {
    const t = btf.type(id);
    switch (t.kind) {
      case 'ptr':
        return { ...t, type: map(t.type, true) };
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
      case 'func':
      case 'var':
      case 'decl_tag':
        return { ...t, type: map(t.type) };
      case 'array':
        return { ...t, type: map(t.type), indexType: map(t.indexType) };
      case 'struct':
      case 'union':
        return { ...t, members: t.members.map((m) => ({ ...m, type: map(m.type) })) };
      case 'func_proto':
        return { ...t, type: map(t.type), params: t.params.map((p) => ({ ...p, type: map(p.type) })) };
      case 'datasec':
        return { ...t, vars: t.vars.map((v) => ({ ...v, type: map(v.type) })) };
      default:
        return t;
    }
  });
  return [...out, ...extra];
}

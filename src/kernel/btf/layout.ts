/**
 * Struct layouts from BTF, the questions kernel helpers ask: where is `task_struct.thread.sp`, how big
 * is `struct rq`, what is `PIDTYPE_TGID`, does `task_struct` have `__state`? Answers are cached per
 * (type, path). Member paths are dotted with optional indexes (`thread.sp`, `pids[1].node`) and look
 * through anonymous structs and unions as C does. Public names: Types, MemberInfo.
 */

import { KtriageError } from '../../errors.js';
import type { Btf } from './btf.js';
import { BtfKind } from './format.js';
import type { BtfType } from './types.js';

export interface MemberInfo {
  /** Byte offset from the start of the outer struct (of the containing byte for bitfields). */
  offset: number;
  /** Bit offset from the start of the outer struct. */
  bitOffset: number;
  /** Bitfield width in bits; 0 for whole members. */
  bitSize: number;
  /** Type id of the member as declared (typedefs kept). */
  type: number;
}

const MAX_CHAIN = 64;
/** Structs visited while looking through anonymous members for one name. */
const MAX_VISITS = 4096;
const COMPOSITE = [BtfKind.struct, BtfKind.union];

export class Types {
  private readonly members = new Map<string, MemberInfo | null>();
  private readonly sizes = new Map<number, number>();
  private enumerators: Map<string, bigint> | undefined;

  constructor(readonly btf: Btf) {}

  /** Strips typedefs, qualifiers and type tags. */
  resolve(id: number): number {
    let cur = id;
    for (let i = 0; i < MAX_CHAIN; i++) {
      const k = this.btf.kindOf(cur);
      if (
        k !== BtfKind.typedef &&
        k !== BtfKind.const &&
        k !== BtfKind.volatile &&
        k !== BtfKind.restrict &&
        k !== BtfKind.typeTag
      ) {
        return cur;
      }
      cur = (this.btf.type(cur) as { type: number }).type;
    }
    throw new KtriageError('corrupt', `BTF type ${id}: typedef chain longer than ${MAX_CHAIN}`);
  }

  resolved(id: number): BtfType {
    return this.btf.type(this.resolve(id));
  }

  /** Id of a struct or union by name (a complete definition, never a forward declaration). */
  composite(name: string): number | undefined {
    return this.btf.find(name, ...COMPOSITE);
  }

  /** Id of a named type: struct/union/enum by tag name, else typedef/int/float by name. */
  named(name: string): number | undefined {
    return this.btf.find(
      name,
      ...COMPOSITE,
      BtfKind.typedef,
      BtfKind.int,
      BtfKind.enum,
      BtfKind.enum64,
      BtfKind.float,
    );
  }

  sizeof(type: string | number): number | undefined {
    const id = typeof type === 'number' ? type : this.named(type);
    if (id === undefined) return undefined;
    const cached = this.sizes.get(id);
    if (cached !== undefined) return cached;
    const size = this.computeSize(id, 0);
    if (size !== undefined) this.sizes.set(id, size);
    return size;
  }

  private computeSize(id: number, depth: number): number | undefined {
    if (depth > MAX_CHAIN)
      throw new KtriageError('corrupt', `BTF type ${id}: nesting deeper than ${MAX_CHAIN}`);
    const t = this.resolved(id);
    switch (t.kind) {
      case 'int':
      case 'float':
      case 'struct':
      case 'union':
      case 'enum':
      case 'enum64':
      case 'datasec':
        return t.size;
      case 'ptr':
        return 8;
      case 'array': {
        const elem = this.computeSize(t.type, depth + 1);
        return elem === undefined ? undefined : elem * t.nelems;
      }
      default:
        return undefined;
    }
  }

  /** Layout of a member path inside a struct/union (by name or id); undefined if absent. */
  member(struct: string | number, path: string): MemberInfo | undefined {
    const id = typeof struct === 'number' ? struct : this.composite(struct);
    if (id === undefined) return undefined;
    const key = `${id}:${path}`;
    const cached = this.members.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.walkPath(id, path);
    this.members.set(key, found ?? null);
    return found;
  }

  /** True when the struct has this member path: the feature test for layout changes. */
  has(struct: string | number, path: string): boolean {
    return this.member(struct, path) !== undefined;
  }

  /** Byte offset of a member path, or a `missingData` error naming it. */
  offsetof(struct: string, path: string): number {
    const m = this.member(struct, path);
    if (!m) throw new KtriageError('missingData', `kernel types: struct ${struct} has no member ${path}`);
    return m.offset;
  }

  /** Value of an enumerator (any enum), e.g. `PIDTYPE_TGID`. */
  enumValue(name: string): bigint | undefined {
    if (!this.enumerators) {
      const all = new Map<string, bigint>();
      for (let id = 1; id < this.btf.typeCount; id++) {
        const k = this.btf.kindOf(id);
        if (k !== BtfKind.enum && k !== BtfKind.enum64) continue;
        const t = this.btf.type(id);
        if (t.kind !== 'enum' && t.kind !== 'enum64') continue;
        for (const e of t.values) if (!all.has(e.name)) all.set(e.name, e.value);
      }
      this.enumerators = all;
    }
    return this.enumerators.get(name);
  }

  /** Element type and count of an array type (after typedefs). */
  arrayOf(id: number): { elem: number; count: number } | undefined {
    const t = this.resolved(id);
    return t.kind === 'array' ? { elem: t.type, count: t.nelems } : undefined;
  }

  /** Pointee type id of a pointer type (after typedefs). */
  pointee(id: number): number | undefined {
    const t = this.resolved(id);
    return t.kind === 'ptr' ? t.type : undefined;
  }

  /** C spelling of a type, for messages: `struct list_head *`, `char [16]`. */
  spell(id: number, depth = 0): string {
    if (depth > MAX_CHAIN) return '…';
    const t = this.btf.type(id);
    switch (t.kind) {
      case 'struct':
      case 'union':
      case 'enum':
        return `${t.kind} ${t.name || '(anon)'}`;
      case 'enum64':
        return `enum ${t.name || '(anon)'}`;
      case 'ptr':
        return `${this.spell(t.type, depth + 1)} *`;
      case 'array':
        return `${this.spell(t.type, depth + 1)} [${t.nelems}]`;
      case 'const':
      case 'volatile':
      case 'restrict':
        return `${t.kind} ${this.spell(t.type, depth + 1)}`;
      case 'fwd':
        return `${t.union ? 'union' : 'struct'} ${t.name}`;
      default:
        return t.name || t.kind;
    }
  }

  private walkPath(structId: number, path: string): MemberInfo | undefined {
    let type = structId;
    let bitOffset = 0;
    let bitSize = 0;
    for (const part of path.split('.')) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/.exec(part);
      if (!m) return undefined;
      const found = this.findMember(this.resolve(type), m[1]!, { left: MAX_VISITS });
      if (!found) return undefined;
      bitOffset += found.bitOffset;
      bitSize = found.bitSize;
      type = found.type;
      for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) {
        const arr = this.arrayOf(type);
        if (!arr) return undefined;
        const elemSize = this.sizeof(arr.elem);
        if (elemSize === undefined) return undefined;
        bitOffset += Number(idx[1]) * elemSize * 8;
        type = arr.elem;
      }
    }
    return { offset: Math.floor(bitOffset / 8), bitOffset, bitSize, type };
  }

  /** Finds a direct member, or one inside anonymous struct/union members (C11 semantics). */
  private findMember(
    id: number,
    name: string,
    budget: { left: number },
  ): { bitOffset: number; bitSize: number; type: number } | undefined {
    // Valid C cannot nest anonymous members in a cycle; a damaged blob can, so bound the search.
    if (--budget.left < 0) return undefined;
    const t = this.btf.type(id);
    if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
    for (const m of t.members) {
      if (m.name === name) return { ...legacyBitfield(this, m), type: m.type };
    }
    for (const m of t.members) {
      if (m.name !== '') continue;
      const inner = this.findMember(this.resolve(m.type), name, budget);
      if (inner) return { ...inner, bitOffset: inner.bitOffset + m.bitOffset };
    }
    return undefined;
  }
}

/** Without kind_flag, a bitfield is an int type whose encoding carries the width and bit offset. */
function legacyBitfield(types: Types, m: { bitOffset: number; bitSize: number; type: number }) {
  if (m.bitSize !== 0) return { bitOffset: m.bitOffset, bitSize: m.bitSize };
  const t = types.resolved(m.type);
  if (t.kind === 'int' && (t.bits !== t.size * 8 || t.bitOffset !== 0)) {
    return { bitOffset: m.bitOffset + t.bitOffset, bitSize: t.bits };
  }
  return { bitOffset: m.bitOffset, bitSize: 0 };
}

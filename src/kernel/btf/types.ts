/**
 * BTF types as ktriage hands them out: one plain object per type id, made on first use. Public names:
 * BtfType and its variants, BtfMember, BtfEnumerator.
 */

interface Base {
  id: number;
  /** Empty for anonymous types. */
  name: string;
}

export interface BtfVoid extends Base {
  kind: 'void';
}

export interface BtfInt extends Base {
  kind: 'int';
  size: number;
  signed: boolean;
  char: boolean;
  bool: boolean;
  /** Legacy bitfield encoding (struct kind_flag = 0): bit offset and width inside the int. */
  bitOffset: number;
  bits: number;
}

export interface BtfFloat extends Base {
  kind: 'float';
  size: number;
}

/** Types that only point at another: ptr, typedef and the qualifiers. */
export interface BtfRef extends Base {
  kind: 'ptr' | 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag';
  type: number;
}

export interface BtfArray extends Base {
  kind: 'array';
  type: number;
  indexType: number;
  nelems: number;
}

export interface BtfMember {
  name: string;
  type: number;
  /** Bit offset from the start of the struct. */
  bitOffset: number;
  /** Bitfield width in bits; 0 when the member is not a bitfield. */
  bitSize: number;
}

export interface BtfComposite extends Base {
  kind: 'struct' | 'union';
  size: number;
  members: BtfMember[];
}

export interface BtfEnumerator {
  name: string;
  value: bigint;
}

export interface BtfEnum extends Base {
  kind: 'enum' | 'enum64';
  size: number;
  signed: boolean;
  values: BtfEnumerator[];
}

export interface BtfFwd extends Base {
  kind: 'fwd';
  union: boolean;
}

export interface BtfFunc extends Base {
  kind: 'func';
  type: number;
  /** 0 static, 1 global, 2 extern. */
  linkage: number;
}

export interface BtfFuncProto extends Base {
  kind: 'func_proto';
  /** Return type id (0 = void). */
  type: number;
  params: { name: string; type: number }[];
  variadic: boolean;
}

export interface BtfVar extends Base {
  kind: 'var';
  type: number;
  linkage: number;
}

export interface BtfDatasec extends Base {
  kind: 'datasec';
  size: number;
  vars: { type: number; offset: number; size: number }[];
}

export interface BtfDeclTag extends Base {
  kind: 'decl_tag';
  type: number;
  /** -1 when the tag applies to the type itself, else the member/parameter index. */
  componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfFloat
  | BtfRef
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfFwd
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfDeclTag;

/**
 * The BTF wire format (include/uapi/linux/btf.h): a 24-byte header, a type section of variable-size
 * records, and a string section. Type ids start at 1 (0 is `void`); split BTF (modules) continues the
 * ids and string offsets of its base. Public names: BTF_MAGIC, BtfKind, KIND_NAMES, BtfHeader,
 * readHeader, recordSize.
 */

import { corrupt } from '../../errors.js';

export const BTF_MAGIC = 0xeb9f;

/** `BTF_KIND_*`, in the kernel's numbering. */
export const BtfKind = {
  unknown: 0,
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  funcProto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  declTag: 17,
  typeTag: 18,
  enum64: 19,
} as const;
export type BtfKindNumber = (typeof BtfKind)[keyof typeof BtfKind];

export const KIND_NAMES = [
  'unknown',
  'int',
  'ptr',
  'array',
  'struct',
  'union',
  'enum',
  'fwd',
  'typedef',
  'volatile',
  'const',
  'restrict',
  'func',
  'func_proto',
  'var',
  'datasec',
  'float',
  'decl_tag',
  'type_tag',
  'enum64',
] as const;
export type BtfKindName = (typeof KIND_NAMES)[number];

export interface BtfHeader {
  version: number;
  flags: number;
  hdrLen: number;
  /** Absolute offsets into the blob (the header stores them relative to its end). */
  typeStart: number;
  typeEnd: number;
  strStart: number;
  strEnd: number;
}

const MIN_HEADER = 24;

/** Validates the header and the two sections' bounds against the blob size. */
export function readHeader(view: DataView): BtfHeader {
  const size = view.byteLength;
  if (size < MIN_HEADER) throw corrupt('BTF header', 0, `need ${MIN_HEADER} bytes, have ${size}`);
  const magic = view.getUint16(0, true);
  if (magic !== BTF_MAGIC) {
    const hint = view.getUint16(0, false) === BTF_MAGIC ? ' (big-endian BTF is not supported)' : '';
    throw corrupt('BTF header', 0, `magic 0x${magic.toString(16)} is not 0xeb9f${hint}`);
  }
  const version = view.getUint8(2);
  if (version !== 1) throw corrupt('BTF header', 2, `version ${version}, expected 1`);
  const hdrLen = view.getUint32(4, true);
  if (hdrLen < MIN_HEADER || hdrLen > size) throw corrupt('BTF header', 4, `hdr_len ${hdrLen} out of range`);
  const typeOff = view.getUint32(8, true);
  const typeLen = view.getUint32(12, true);
  const strOff = view.getUint32(16, true);
  const strLen = view.getUint32(20, true);
  const typeStart = hdrLen + typeOff;
  const typeEnd = typeStart + typeLen;
  const strStart = hdrLen + strOff;
  const strEnd = strStart + strLen;
  if (typeEnd > size)
    throw corrupt('BTF type section', typeStart, `${typeLen} bytes run past the blob (${size})`);
  if (strEnd > size)
    throw corrupt('BTF string section', strStart, `${strLen} bytes run past the blob (${size})`);
  if (typeLen % 4 !== 0)
    throw corrupt('BTF type section', typeStart, `length ${typeLen} is not a multiple of 4`);
  return { version, flags: view.getUint8(3), hdrLen, typeStart, typeEnd, strStart, strEnd };
}

/** Bytes a type record occupies: the 12-byte `btf_type` plus its kind's trailing data. */
export function recordSize(kind: number, vlen: number): number | undefined {
  switch (kind) {
    case BtfKind.int:
      return 16;
    case BtfKind.ptr:
    case BtfKind.fwd:
    case BtfKind.typedef:
    case BtfKind.volatile:
    case BtfKind.const:
    case BtfKind.restrict:
    case BtfKind.func:
    case BtfKind.float:
    case BtfKind.typeTag:
      return 12;
    case BtfKind.array:
      return 12 + 12;
    case BtfKind.struct:
    case BtfKind.union:
      return 12 + 12 * vlen;
    case BtfKind.enum:
      return 12 + 8 * vlen;
    case BtfKind.funcProto:
      return 12 + 8 * vlen;
    case BtfKind.var:
      return 12 + 4;
    case BtfKind.datasec:
      return 12 + 12 * vlen;
    case BtfKind.declTag:
      return 12 + 4;
    case BtfKind.enum64:
      return 12 + 12 * vlen;
    default:
      return undefined;
  }
}

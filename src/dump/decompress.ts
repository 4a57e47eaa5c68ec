/**
 * Page decompression for kdump-compressed dumps. Libraries chosen to run unchanged in Node and a
 * browser, synchronously: fflate (zlib), snappyjs (Snappy), fzstd (Zstandard); LZO1X is our own
 * (./lzo1x.ts, no maintained library exists). Every result must be exactly one page: anything
 * else is a corrupt page, reported with its PFN and file offset.
 */

import { unzlibSync } from 'fflate';
import { decompress as zstdDecompress } from 'fzstd';
import { uncompress as snappyUncompress } from 'snappyjs';
import { corrupt } from '../errors.js';
import { lzo1xDecompress } from './lzo1x.js';

export type Compression = 'zlib' | 'lzo' | 'snappy' | 'zstd';

/**
 * Node's own zlib when the runtime has one (5× faster than fflate on dump pages, which is most of
 * the cost of reading kallsyms and BTF); fflate everywhere else (browsers). Looked up through
 * process.getBuiltinModule (Node ≥ 20.16) so that bundles for the browser need no shim.
 */
type NodeZlib = typeof import('node:zlib');
const nodeZlib: NodeZlib | undefined = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:zlib') as NodeZlib | undefined;

export function decompressPage(
  method: Compression,
  data: Uint8Array,
  pageSize: number,
  where: { pfn: bigint; offset: number },
): Uint8Array {
  let page: Uint8Array;
  try {
    page = run(method, data, pageSize);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw corrupt(
      `${method} page (pfn 0x${where.pfn.toString(16)})`,
      where.offset,
      `cannot decompress: ${why}`,
    );
  }
  if (page.length !== pageSize) {
    throw corrupt(
      `${method} page (pfn 0x${where.pfn.toString(16)})`,
      where.offset,
      `decompressed to ${page.length} bytes, expected ${pageSize}`,
    );
  }
  return page;
}

function run(method: Compression, data: Uint8Array, pageSize: number): Uint8Array {
  switch (method) {
    // fflate and fzstd stop silently at the end of a given buffer: one spare byte reveals a page
    // that would decompress to more than a page.
    case 'zlib':
      // maxOutputLength makes a page that inflates past one page an error, not a big buffer.
      if (nodeZlib) {
        const out = nodeZlib.inflateSync(data, { maxOutputLength: pageSize + 1 });
        return new Uint8Array(out.buffer, out.byteOffset, out.length);
      }
      return unzlibSync(data, { out: new Uint8Array(pageSize + 1) });
    case 'lzo':
      return lzo1xDecompress(data, pageSize);
    case 'snappy':
      // snappyjs loops forever on some malformed streams (a negative literal length moves its
      // cursor backwards): walk the stream's structure first, then let it decode.
      checkSnappy(data, pageSize);
      return snappyUncompress(data, pageSize);
    case 'zstd': {
      // fzstd returns the whole buffer it was given, so the frame header must vouch for the size.
      const size = zstdContentSize(data);
      if (size !== undefined && size !== pageSize) throw new Error(`zstd frame says ${size} bytes`);
      return zstdDecompress(data, new Uint8Array(pageSize));
    }
  }
}

/** Frame_Content_Size from a zstd frame header (RFC 8878 §3.1.1.1), undefined when not recorded. */
export function zstdContentSize(frame: Uint8Array): number | undefined {
  if (frame.length < 6 || frame[0] !== 0x28 || frame[1] !== 0xb5 || frame[2] !== 0x2f || frame[3] !== 0xfd) {
    throw new Error('not a zstd frame');
  }
  const fhd = frame[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictBytes;
  if (at + fcsBytes > frame.length) throw new Error('truncated zstd frame header');
  let value = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) value = value * 256 + frame[at + i]!;
  return fcsBytes === 2 ? value + 256 : value;
}

/**
 * Checks a raw Snappy stream (varint length, then literal/copy elements) without decoding it:
 * the length must be `expected`, every element must lie inside the input, every copy must reach
 * back into what is already produced, and the elements must produce exactly `expected` bytes.
 */
export function checkSnappy(data: Uint8Array, expected: number): void {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= data.length || shift > 28) throw new Error('bad snappy length');
    const b = data[pos++]!;
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  if (length !== expected) throw new Error(`snappy stream says ${length} bytes`);
  let out = 0;
  while (pos < data.length) {
    const tag = data[pos++]!;
    let len: number;
    if ((tag & 3) === 0) {
      len = (tag >>> 2) + 1;
      if (len > 60) {
        const bytes = len - 60;
        if (pos + bytes > data.length) throw new Error('snappy literal length past the input');
        len = 1;
        for (let i = 0; i < bytes; i++) len += data[pos + i]! * 2 ** (8 * i);
        pos += bytes;
      }
      if (pos + len > data.length) throw new Error('snappy literal past the input');
      pos += len;
    } else {
      let offset: number;
      if ((tag & 3) === 1) {
        if (pos + 1 > data.length) throw new Error('snappy copy past the input');
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | data[pos]!;
        pos += 1;
      } else if ((tag & 3) === 2) {
        if (pos + 2 > data.length) throw new Error('snappy copy past the input');
        len = (tag >>> 2) + 1;
        offset = data[pos]! | (data[pos + 1]! << 8);
        pos += 2;
      } else {
        if (pos + 4 > data.length) throw new Error('snappy copy past the input');
        len = (tag >>> 2) + 1;
        offset = data[pos]! + data[pos + 1]! * 2 ** 8 + data[pos + 2]! * 2 ** 16 + data[pos + 3]! * 2 ** 24;
        pos += 4;
      }
      if (offset === 0 || offset > out) throw new Error('snappy copy reaches before the start');
    }
    out += len;
    if (out > expected) throw new Error('snappy stream produces more than a page');
  }
  if (out !== expected) throw new Error(`snappy stream produces ${out} bytes`);
}

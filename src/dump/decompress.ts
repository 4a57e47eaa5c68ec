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
      return unzlibSync(data, { out: new Uint8Array(pageSize + 1) });
    case 'lzo':
      return lzo1xDecompress(data, pageSize);
    case 'snappy':
      return snappyUncompress(data, pageSize);
    case 'zstd':
      return zstdDecompress(data, new Uint8Array(pageSize + 1));
  }
}

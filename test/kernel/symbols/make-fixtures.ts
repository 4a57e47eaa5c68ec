/**
 * Regenerates test/fixtures/kernel/symbols/kallsyms-6.1.0-56-excerpt.json.gz (run by hand):
 *   npx tsx test/kernel/symbols/make-fixtures.ts /usr/lib/debug/boot/vmlinux-6.1.0-56-amd64
 * The real kallsyms tables of the lab kernel's vmlinux (link-time addresses), cut to the first
 * COUNT symbols: kallsyms_names up to the end of entry COUNT-1, kallsyms_offsets[0..COUNT), the
 * whole token table/index, and kallsyms_relative_base. kallsyms_num_syms is given as COUNT.
 */

import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { FileSource } from '../../../src/io/file-source.js';
import { ElfFile } from '../../../src/kernel/symbols/elf.js';
import { fixture } from '../../helpers/shared.js';

const COUNT = 3000;
const path = process.argv[2];
if (!path) throw new Error('usage: make-fixtures.ts VMLINUX');
const elf = new ElfFile(new FileSource(path));
const sym = new Map(elf.symbols().map((s) => [s.name, s.address]));
const mem = elf.memory();
const at = (name: string) => sym.get(name)!;
const read = (name: string, len: number) => mem.read(at(name), len)!;

// Length of the first COUNT name entries (two-byte lengths, v6.1+).
const names = read('kallsyms_names', 1 << 20);
let pos = 0;
for (let i = 0; i < COUNT; i++) {
  let len = names[pos++]!;
  if (len & 0x80) len = (len & 0x7f) | (names[pos++]! << 7);
  pos += len;
}
const tokenIndex = read('kallsyms_token_index', 512);
const ti = new DataView(tokenIndex.buffer, tokenIndex.byteOffset, 512);
let tokenEnd = 0;
for (let i = 0; i < 256; i++) tokenEnd = Math.max(tokenEnd, ti.getUint16(2 * i, true));
const tokenTable = read('kallsyms_token_table', tokenEnd + 64);
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const hex = (v: bigint) => `0x${v.toString(16)}`;
const out = {
  source: `${path} (Debian linux-image-6.1.0-56-amd64-dbg), first ${COUNT} kallsyms entries`,
  count: COUNT,
  addresses: Object.fromEntries(
    [
      'kallsyms_names',
      'kallsyms_num_syms',
      'kallsyms_token_table',
      'kallsyms_token_index',
      'kallsyms_offsets',
      'kallsyms_relative_base',
      '_stext',
    ].map((n) => [n, hex(at(n))]),
  ),
  relativeBase: hex(mem.readU64(at('kallsyms_relative_base'))!),
  names: b64(names.subarray(0, pos)),
  offsets: b64(read('kallsyms_offsets', COUNT * 4)),
  tokenTable: b64(tokenTable.subarray(0, tokenTable.indexOf(0, tokenEnd) + 1)),
  tokenIndex: b64(tokenIndex),
};
writeFileSync(
  fixture('kernel', 'symbols', 'kallsyms-6.1.0-56-excerpt.json.gz'),
  gzipSync(JSON.stringify(out), { level: 9 }),
);
console.log('names', pos, 'bytes');

/**
 * Just enough of a vmlinux / module ELF64 (little-endian) file: section headers, the `.symtab`, a
 * section's bytes, and a MemoryView over the allocated sections at their link-time addresses (what
 * kallsyms and BTF look like before the kernel is loaded). Reads through a ByteSource, so a 600 MB
 * debug vmlinux is never loaded whole. (src/dump/elf.ts reads vmcores: program headers and notes.)
 * Public names: ElfFile, ElfSection.
 */

import { corrupt, KtriageError } from '../../errors.js';
import type { ByteSource } from '../../io/byte-source.js';
import type { MemoryView } from '../../model/memory.js';
import type { SymbolEntry } from './table.js';

const LATIN1 = new TextDecoder('latin1');

export interface ElfSection {
  name: string;
  type: number;
  flags: bigint;
  address: bigint;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHF_ALLOC = 2n;
const SHN_UNDEF = 0;
const SHN_ABS = 0xfff1;
const MAX_SECTIONS = 65535;

function u(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class ElfFile {
  readonly sections: ElfSection[];

  constructor(private readonly file: ByteSource) {
    if (file.size < 64) throw new KtriageError('unrecognised', `${file.name}: too small for an ELF header`);
    const ident = file.read(0, 64);
    if (
      ident.length < 64 ||
      ident[0] !== 0x7f ||
      ident[1] !== 0x45 ||
      ident[2] !== 0x4c ||
      ident[3] !== 0x46
    ) {
      throw new KtriageError(
        'unrecognised',
        `${file.name}: not an ELF file (no \\x7fELF magic at offset 0)`,
        {
          offset: 0,
        },
      );
    }
    if (ident[4] !== 2 || ident[5] !== 1)
      throw new KtriageError('unsupported', 'only little-endian ELF64 files are supported');
    const h = u(ident);
    const shoff = Number(h.getBigUint64(0x28, true));
    const shentsize = h.getUint16(0x3a, true);
    const shnum = h.getUint16(0x3c, true);
    const shstrndx = h.getUint16(0x3e, true);
    if (shnum === 0 || shnum > MAX_SECTIONS || shentsize < 64)
      throw corrupt('ELF section headers', 0x3a, `${shnum} × ${shentsize} bytes`);
    if (shoff + shnum * shentsize > file.size)
      throw corrupt('ELF section headers', shoff, `run past the file (${file.size} bytes)`);
    const table = u(file.read(shoff, shnum * shentsize));
    const raw = [];
    for (let i = 0; i < shnum; i++) {
      const o = i * shentsize;
      raw.push({
        nameOff: table.getUint32(o, true),
        type: table.getUint32(o + 4, true),
        flags: table.getBigUint64(o + 8, true),
        address: table.getBigUint64(o + 16, true),
        offset: Number(table.getBigUint64(o + 24, true)),
        size: Number(table.getBigUint64(o + 32, true)),
        link: table.getUint32(o + 40, true),
        entsize: Number(table.getBigUint64(o + 56, true)),
      });
    }
    const strSec = raw[shstrndx];
    const names =
      strSec && strSec.offset + strSec.size <= file.size
        ? file.read(strSec.offset, strSec.size)
        : new Uint8Array();
    this.sections = raw.map((s) => ({ ...s, name: cString(names, s.nameOff) }));
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The bytes of a section (empty for NOBITS). */
  bytes(section: ElfSection): Uint8Array {
    if (section.type === SHT_NOBITS) return new Uint8Array();
    if (section.offset + section.size > this.file.size) {
      throw corrupt(`ELF section ${section.name}`, section.offset, `${section.size} bytes run past the file`);
    }
    return this.file.read(section.offset, section.size);
  }

  /** Defined symbols of `.symtab` with nm-style type letters (T t D d B b R r A W …). */
  symbols(): SymbolEntry[] {
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!symtab) throw new KtriageError('missingData', 'ELF file has no .symtab (stripped?)');
    const strtab = this.sections[symtab.link];
    if (!strtab) throw corrupt('ELF .symtab', symtab.offset, `sh_link ${symtab.link} names no section`);
    const syms = u(this.bytes(symtab));
    const strs = this.bytes(strtab);
    const out: SymbolEntry[] = [];
    for (let o = 24; o + 24 <= syms.byteLength; o += 24) {
      const info = syms.getUint8(o + 4);
      const kind = info & 0xf;
      const bind = info >> 4;
      const shndx = syms.getUint16(o + 6, true);
      if (shndx === SHN_UNDEF || kind === 3 /* SECTION */ || kind === 4 /* FILE */) continue;
      const name = cString(strs, syms.getUint32(o, true));
      if (name === '') continue;
      out.push({ name, address: syms.getBigUint64(o + 8, true), type: this.typeLetter(shndx, bind) });
    }
    return out;
  }

  private typeLetter(shndx: number, bind: number): string {
    let letter = '?';
    if (shndx === SHN_ABS) letter = 'a';
    else {
      const s = this.sections[shndx];
      if (s) {
        if (s.flags & 4n) letter = 't';
        else if (s.type === SHT_NOBITS) letter = 'b';
        else if (s.flags & 1n) letter = 'd';
        else letter = 'r';
      }
    }
    if (bind === 2) return letter === 't' ? 'W' : 'V';
    return bind === 1 ? letter.toUpperCase() : letter;
  }

  /** Memory as the allocated sections lay it out at their link-time addresses. */
  memory(): MemoryView {
    const alloc = this.sections.filter(
      (s) => (s.flags & SHF_ALLOC) !== 0n && s.type !== SHT_NOBITS && s.size > 0,
    );
    const read = (address: bigint, length: number): Uint8Array | undefined => {
      const s = alloc.find(
        (x) => address >= x.address && address + BigInt(length) <= x.address + BigInt(x.size),
      );
      if (!s) return undefined;
      return this.file.read(s.offset + Number(address - s.address), length);
    };
    return {
      read,
      readU32: (a) => {
        const b = read(a, 4);
        return b ? u(b).getUint32(0, true) : undefined;
      },
      readU64: (a) => {
        const b = read(a, 8);
        return b ? u(b).getBigUint64(0, true) : undefined;
      },
    };
  }
}

function cString(bytes: Uint8Array, offset: number): string {
  if (offset >= bytes.length) return '';
  let end = bytes.indexOf(0, offset);
  if (end < 0) end = bytes.length;
  return LATIN1.decode(bytes.subarray(offset, end));
}

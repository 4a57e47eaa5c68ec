/**
 * Loaded modules and their symbols, from the `modules` list in memory: each `struct module` keeps its
 * name, where its sections were put, and its own ELF symbol table (`mod_kallsyms`). Needs BTF for the
 * layout of `struct module`. Public names: ModuleInfo, readModules.
 *
 * Layout history handled here:
 * - regions: `module_core`/`core_size` until 7523e4dc5057 ("module: use a structure to encapsulate
 *   layout.", v4.5) made them `core_layout.base/size`; ac3b43283923 ("module: replace module_layout
 *   with module_memory", v6.4) split them into `mem[MOD_TEXT…]`.
 * - symbols: `module.symtab/num_symtab/strtab` until 8244062ef1e5 ("modules: fix longstanding
 *   /proc/kallsyms vs module insertion race.", v4.6) moved them into `struct mod_kallsyms`; the type
 *   letter lived in `st_info` until 1c7651f43777 ("kallsyms: store type information in its own
 *   array", v5.2) added `typetab`.
 */

import type { TypedMemory } from '../btf/object.js';
import { type SymbolEntry, SymbolTable } from './table.js';

const LATIN1 = new TextDecoder('latin1');

export interface ModuleInfo {
  /** Address of the `struct module`. */
  address: bigint;
  name: string;
  /** enum module_state: 0 live, 1 coming, 2 going, 3 unformed. */
  state?: number;
  /** Where the module's sections were loaded: [base, base + size). */
  regions: { base: bigint; size: number }[];
  symbols: SymbolTable;
}

const MAX_MODULES = 10_000;
const MAX_MODULE_SYMBOLS = 1_000_000;
const MAX_STRTAB = 64 * 1024 * 1024;
const ELF64_SYM = 24;

function regionsOf(tm: TypedMemory, mod: bigint): { base: bigint; size: number }[] {
  const t = tm.types;
  const out: { base: bigint; size: number }[] = [];
  const add = (basePath: string, sizePath: string) => {
    const b = t.member('module', basePath);
    const s = t.member('module', sizePath);
    if (!b || !s) return false;
    const base = tm.mem.readU64(mod + BigInt(b.offset));
    const size = tm.mem.readU32(mod + BigInt(s.offset));
    if (base && size) out.push({ base, size });
    return true;
  };
  const mem = t.member('module', 'mem');
  const memArray = mem ? t.arrayOf(mem.type) : undefined;
  if (memArray) {
    for (let i = 0; i < memArray.count; i++) add(`mem[${i}].base`, `mem[${i}].size`);
  } else if (!add('core_layout.base', 'core_layout.size')) {
    add('module_core', 'core_size');
  }
  return out;
}

function symbolsOf(tm: TypedMemory, mod: bigint): SymbolEntry[] {
  const t = tm.types;
  const mem = tm.mem;
  let holder = mod;
  let struct = 'module';
  const kallsyms = t.member('module', 'kallsyms');
  if (kallsyms) {
    const p = mem.readU64(mod + BigInt(kallsyms.offset));
    if (!p) return [];
    holder = p;
    struct = 'mod_kallsyms';
  }
  const field = (name: string) => t.member(struct, name);
  const symtabM = field('symtab');
  const numM = field('num_symtab');
  const strtabM = field('strtab');
  if (!symtabM || !numM || !strtabM) return [];
  const typetabM = field('typetab');
  const symtab = mem.readU64(holder + BigInt(symtabM.offset));
  const num = mem.readU32(holder + BigInt(numM.offset));
  const strtab = mem.readU64(holder + BigInt(strtabM.offset));
  if (!symtab || !num || !strtab || num > MAX_MODULE_SYMBOLS) return [];
  const typetab = typetabM ? mem.readU64(holder + BigInt(typetabM.offset)) : undefined;
  const syms = mem.read(symtab, num * ELF64_SYM);
  if (!syms) return [];
  const view = new DataView(syms.buffer, syms.byteOffset, syms.byteLength);
  const types = typetab ? mem.read(typetab, num) : undefined;
  let maxName = 0;
  for (let i = 0; i < num; i++) maxName = Math.max(maxName, view.getUint32(i * ELF64_SYM, true));
  const strBytes = readStrings(tm, strtab, Math.min(maxName + 512, MAX_STRTAB));
  if (!strBytes) return [];
  const out: SymbolEntry[] = [];
  for (let i = 1; i < num; i++) {
    const o = i * ELF64_SYM;
    const shndx = view.getUint16(o + 6, true);
    if (shndx === 0) continue;
    const nameOff = view.getUint32(o, true);
    let end = strBytes.indexOf(0, nameOff);
    if (end < 0) end = strBytes.length;
    if (nameOff >= strBytes.length || end === nameOff) continue;
    const type = types ? String.fromCharCode(types[i]!) : String.fromCharCode(view.getUint8(o + 4));
    out.push({
      name: LATIN1.decode(strBytes.subarray(nameOff, end)),
      address: view.getBigUint64(o + 8, true),
      type,
    });
  }
  return out;
}

/** The string table may end before `want` bytes are mapped: shrink until readable. */
function readStrings(tm: TypedMemory, address: bigint, want: number): Uint8Array | undefined {
  for (let len = want; len >= 1; len = Math.floor(len / 2)) {
    const b = tm.mem.read(address, len);
    if (b) return b;
  }
  return undefined;
}

/** Walks `modules` (the list head's address) and reads each module's name, regions and symbols. */
export function readModules(tm: TypedMemory, modulesHead: bigint): ModuleInfo[] {
  const t = tm.types;
  const listOff = t.offsetof('module', 'list');
  const nameM = t.member('module', 'name');
  const stateM = t.member('module', 'state');
  const nameLen = nameM ? (t.arrayOf(nameM.type)?.count ?? 56) : 56;
  const out: ModuleInfo[] = [];
  for (const mod of tm.listEntries(modulesHead, listOff, MAX_MODULES)) {
    const nameBytes = nameM ? tm.mem.read(mod + BigInt(nameM.offset), nameLen) : undefined;
    if (!nameBytes) continue;
    const nul = nameBytes.indexOf(0);
    const name = LATIN1.decode(nameBytes.subarray(0, nul < 0 ? nameBytes.length : nul));
    const state = stateM ? tm.mem.readU32(mod + BigInt(stateM.offset)) : undefined;
    const regions = regionsOf(tm, mod);
    let end: bigint | undefined;
    for (const r of regions) {
      const e = r.base + BigInt(r.size);
      if (end === undefined || e > end) end = e;
    }
    out.push({
      address: mod,
      name,
      state,
      regions,
      symbols: SymbolTable.fromEntries(symbolsOf(tm, mod), name, end),
    });
  }
  return out;
}

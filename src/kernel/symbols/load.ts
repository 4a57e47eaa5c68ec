/**
 * Getting a kernel's symbols: from the dump itself (kallsyms tables named in VMCOREINFO, 6.0+ or
 * backported), or from a System.map / vmlinux the user gives (`--symbols FILE`), moved by the
 * dump's KASLR offset and checked against VMCOREINFO's `_stext`. Then module symbols from the
 * module list, once BTF gives `struct module`'s layout.
 * Public names: symbolsFromDump, symbolsFromFile, hasKallsyms, addModuleSymbols.
 */

import { KtriageError } from '../../errors.js';
import type { ByteSource } from '../../io/byte-source.js';
import type { MemoryView } from '../../model/memory.js';
import type { TypedMemory } from '../btf/object.js';
import type { VmcoreInfo } from '../vmcoreinfo.js';
import { ElfFile } from './elf.js';
import { decodeKallsyms, usesLongNames } from './kallsyms.js';
import { KernelSymbols } from './kernel-symbols.js';
import { readModules } from './modules.js';
import { parseSystemMap, relocate } from './system-map.js';
import { SymbolTable } from './table.js';

export function hasKallsyms(vi: VmcoreInfo): boolean {
  const s = vi.symbols;
  return (
    s.has('kallsyms_names') &&
    s.has('kallsyms_num_syms') &&
    s.has('kallsyms_token_table') &&
    s.has('kallsyms_token_index') &&
    (s.has('kallsyms_offsets') || s.has('kallsyms_addresses'))
  );
}

/** The core kernel's symbols decoded from the dump's own kallsyms tables. */
export function symbolsFromDump(mem: MemoryView, vi: VmcoreInfo): KernelSymbols {
  if (!hasKallsyms(vi)) {
    throw new KtriageError(
      'missingData',
      `VMCOREINFO of ${vi.osRelease ?? 'this kernel'} does not locate kallsyms (needs Linux 6.0+): give --symbols System.map or vmlinux`,
    );
  }
  const s = vi.symbols;
  const { table } = decodeKallsyms(
    mem,
    {
      names: s.get('kallsyms_names')!,
      numSyms: s.get('kallsyms_num_syms')!,
      tokenTable: s.get('kallsyms_token_table')!,
      tokenIndex: s.get('kallsyms_token_index')!,
      offsets: s.get('kallsyms_offsets'),
      relativeBase: s.get('kallsyms_relative_base'),
      addresses: s.get('kallsyms_addresses'),
    },
    { stext: s.get('_stext'), longNames: usesLongNames(vi.osRelease) },
  );
  return new KernelSymbols(table, 'kallsyms');
}

/** A System.map's symbols; its parse errors name the file (`--symbols` takes any path). */
function systemMapOf(file: ByteSource): ReturnType<typeof parseSystemMap> {
  try {
    return parseSystemMap(new TextDecoder('latin1').decode(file.read(0, file.size)));
  } catch (error) {
    if (error instanceof KtriageError)
      throw new KtriageError(error.kind, `${file.name}: ${error.message} (not a System.map or vmlinux?)`, {
        path: file.name,
      });
    throw error;
  }
}

/**
 * Symbols from a System.map (text) or a vmlinux (ELF with .symtab), moved by KERNELOFFSET. When
 * VMCOREINFO has `_stext`, the file must agree with it: a map of another build is refused.
 */
export function symbolsFromFile(file: ByteSource, vi: VmcoreInfo | undefined): KernelSymbols {
  const head = file.read(0, Math.min(4, file.size));
  const isElf = head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
  const linked = isElf ? new ElfFile(file).symbols() : systemMapOf(file);
  const entries = relocate(linked, vi?.kernelOffset ?? 0n);
  const table = SymbolTable.fromEntries(entries);
  const want = vi?.symbols.get('_stext');
  const have = table.address('_stext');
  if (want !== undefined && have !== undefined && want !== have) {
    throw new KtriageError(
      'unsupported',
      `${file.name}: _stext is 0x${have.toString(16)} after KASLR, but the dump's VMCOREINFO says 0x${want.toString(16)}: symbols of another kernel build?`,
      { path: file.name },
    );
  }
  return new KernelSymbols(table, isElf ? 'elf' : 'system-map');
}

/** Reads the module list (`modules`) and adds each module's symbols; returns how many were read. */
export function addModuleSymbols(symbols: KernelSymbols, typed: TypedMemory): number {
  const head = symbols.core.address('modules');
  if (head === undefined) return 0;
  const modules = readModules(typed, head);
  symbols.setModules(modules);
  return modules.length;
}

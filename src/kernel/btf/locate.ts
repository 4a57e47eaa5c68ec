/**
 * Where a kernel's BTF comes from: its own memory (`__start_BTF`…`__stop_BTF`, found through
 * kallsyms since VMCOREINFO does not name them), a raw blob (`/sys/kernel/btf/vmlinux`), or the
 * `.BTF` section of a vmlinux / module ELF; loaded modules' split BTF from the BPF core's list.
 * Public names: btfFromMemory, btfFromFile, moduleBtfsFromMemory.
 */

import { KtriageError } from '../../errors.js';
import type { ByteSource } from '../../io/byte-source.js';
import type { MemoryView } from '../../model/memory.js';
import { ElfFile } from '../symbols/elf.js';
import { Btf } from './btf.js';
import { BTF_MAGIC } from './format.js';
import type { TypedMemory } from './object.js';

/** vmlinux BTF is 4–6 MB on distribution kernels; refuse anything absurd before allocating. */
const MAX_BTF = 256 * 1024 * 1024;

interface NamedAddresses {
  address(name: string): bigint | undefined;
}

export function btfFromMemory(mem: MemoryView, symbols: NamedAddresses): Btf {
  const start = symbols.address('__start_BTF');
  const stop = symbols.address('__stop_BTF');
  if (start === undefined || stop === undefined) {
    throw new KtriageError(
      'missingData',
      'kernel BTF: no __start_BTF/__stop_BTF symbols (kernel built without CONFIG_DEBUG_INFO_BTF?)',
    );
  }
  const size = stop - start;
  if (size <= 0n || size > BigInt(MAX_BTF))
    throw new KtriageError('corrupt', `kernel BTF: __stop_BTF - __start_BTF = ${size} bytes`);
  const bytes = mem.read(start, Number(size));
  if (!bytes)
    throw new KtriageError(
      'missingData',
      `kernel BTF at 0x${start.toString(16)} (${size} bytes) is not in the dump`,
    );
  return new Btf(bytes);
}

/** A raw BTF blob or an ELF file with a `.BTF` section; split BTF needs its `base`. */
export function btfFromFile(file: ByteSource, base?: Btf): Btf {
  const head = file.read(0, Math.min(4, file.size));
  if (head.length >= 2 && (head[0]! | (head[1]! << 8)) === BTF_MAGIC) {
    if (file.size > MAX_BTF)
      throw new KtriageError('unsupported', `BTF file of ${file.size} bytes is too large`);
    return new Btf(file.read(0, file.size), base);
  }
  const elf = new ElfFile(file);
  const section = elf.section('.BTF');
  if (!section) throw new KtriageError('missingData', 'ELF file has no .BTF section');
  if (section.size > MAX_BTF)
    throw new KtriageError('unsupported', `.BTF section of ${section.size} bytes is too large`);
  return new Btf(elf.bytes(section), base);
}

/**
 * Loaded modules' BTF (CONFIG_DEBUG_INFO_BTF_MODULES, 36e68442d1af "bpf: Load and verify kernel
 * module BTF", v5.11), keyed by `struct module` address. The loader frees `module.btf_data` once
 * the module is live, so the blob is found where the BPF core keeps it: the `btf_modules` list of
 * `struct btf_module { list, module, btf }`, with `btf->data`/`btf->data_size`. Modules without
 * BTF (out-of-tree builds without pahole) are simply absent.
 */
export function moduleBtfsFromMemory(
  typed: TypedMemory,
  symbols: NamedAddresses,
  vmlinux: Btf,
): Map<bigint, Btf> {
  const out = new Map<bigint, Btf>();
  const t = typed.types;
  const mem = typed.mem;
  const head = symbols.address('btf_modules');
  const list = t.member('btf_module', 'list');
  const modM = t.member('btf_module', 'module');
  const btfM = t.member('btf_module', 'btf');
  const dataM = t.member('btf', 'data');
  const sizeM = t.member('btf', 'data_size');
  if (head === undefined || !list || !modM || !btfM || !dataM || !sizeM) return out;
  for (const entry of typed.listEntries(head, list.offset, 100_000)) {
    const mod = mem.readU64(entry + BigInt(modM.offset));
    const btf = mem.readU64(entry + BigInt(btfM.offset));
    if (!mod || !btf) continue;
    const data = mem.readU64(btf + BigInt(dataM.offset));
    const size = mem.readU32(btf + BigInt(sizeM.offset));
    if (!data || !size || size > MAX_BTF) continue;
    const bytes = mem.read(data, size);
    if (!bytes) continue;
    try {
      out.set(mod, new Btf(bytes, vmlinux));
    } catch (error) {
      if (!(error instanceof KtriageError)) throw error;
    }
  }
  return out;
}

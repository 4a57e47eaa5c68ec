/**
 * Where a kernel's BTF comes from: its own memory (`__start_BTF`…`__stop_BTF`, found through
 * kallsyms since VMCOREINFO does not name them), a raw blob (`/sys/kernel/btf/vmlinux`), or the
 * `.BTF` section of a vmlinux / module ELF; a module's split BTF from `struct module.btf_data`.
 * Public names: btfFromMemory, btfFromFile, moduleBtfFromMemory.
 */

import { KtriageError } from '../../errors.js';
import type { ByteSource } from '../../io/byte-source.js';
import type { MemoryView } from '../../model/memory.js';
import { ElfFile } from '../symbols/elf.js';
import { Btf } from './btf.js';
import { BTF_MAGIC } from './format.js';
import type { Types } from './layout.js';

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
 * A module's BTF, kept in `struct module.btf_data` when the kernel has CONFIG_DEBUG_INFO_BTF_MODULES
 * (36e68442d1af "bpf: Load and verify kernel module BTF", v5.11). Undefined when absent.
 */
export function moduleBtfFromMemory(
  mem: MemoryView,
  types: Types,
  module: bigint,
  vmlinux: Btf,
): Btf | undefined {
  const data = types.member('module', 'btf_data');
  const size = types.member('module', 'btf_data_size');
  if (!data || !size) return undefined;
  const ptr = mem.readU64(module + BigInt(data.offset));
  const len = mem.readU32(module + BigInt(size.offset));
  if (!ptr || !len || len > MAX_BTF) return undefined;
  const bytes = mem.read(ptr, len);
  return bytes ? new Btf(bytes, vmlinux) : undefined;
}

/**
 * One call from a file (or any ByteSource) to a readable kernel: the dump container and the
 * KernelMemory over it. The entry point for everything that reads a vmcore.
 */

import { type Dump, type OpenDumpOptions, openDump } from '../dump/open.js';
import { KtriageError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { FileSource } from '../io/file-source.js';
import { parseVmcoreInfo, type VmcoreInfo } from '../kernel/vmcoreinfo.js';
import { KernelMemory } from '../kernel/x86_64/kernel-memory.js';
import { START_KERNEL_MAP } from '../kernel/x86_64/paging.js';

export interface KernelDump {
  dump: Dump;
  vmcoreinfo: VmcoreInfo;
  kernel: KernelMemory;
  close(): void;
}

export function openKernelDump(input: string | ByteSource, options: OpenDumpOptions = {}): KernelDump {
  if (input === '-')
    throw new KtriageError(
      'usage',
      'standard input (-): a vmcore is read in place and needs a file path (`ktriage analyze -` reads a log or transcript)',
    );
  const source = typeof input === 'string' ? new FileSource(input) : input;
  try {
    const dump = openDump(source, options);
    const text = dump.notes.vmcoreinfo;
    if (!text) {
      throw new KtriageError(
        'missingData',
        `${source.name}: the dump has no VMCOREINFO note (a QEMU dump without -device vmcoreinfo?): kernel memory cannot be located`,
        { path: source.name },
      );
    }
    const vmcoreinfo = parseVmcoreInfo(text);
    const kernel = new KernelMemory({
      physical: dump.physical,
      vmcoreinfo,
      cpus: dump.notes.prstatus,
      physBaseHint: physBaseFromContainer(dump),
    });
    return { dump, vmcoreinfo, kernel, close: () => source.close?.() };
  } catch (error) {
    source.close?.();
    throw error;
  }
}

/** kdump sub-header phys_base, or an ELF PT_LOAD of the kernel image (p_paddr − (p_vaddr − START_KERNEL_MAP)). */
function physBaseFromContainer(dump: Dump): bigint | undefined {
  if (dump.kdump) return dump.kdump.sub.physBase;
  const text = dump.elf?.segments.find((s) => s.virtStart >= START_KERNEL_MAP);
  return text ? text.physStart - (text.virtStart - START_KERNEL_MAP) : undefined;
}

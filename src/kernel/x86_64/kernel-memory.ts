/**
 * KernelMemory: the kernel's virtual memory in a dump, the object symbol, BTF, task and unwinding
 * code builds on (docs/dump-api.md). Small on purpose:
 *   readVirt / tryReadVirt / readU8..U64 / readCString   kernel virtual reads across pages
 *   readPhys, virtToPhys                                  physical reads and translation
 *   vmcoreinfo, physBase, kaslrOffset, pageSize           facts every layer above needs
 *   cpus                                                  NT_PRSTATUS registers per CPU
 *   memoryView()                                          the model's MemoryView over it
 * Reads of memory the dump lacks throw MemoryUnavailableError (kind `missingData`): normal in a
 * filtered dump; `tryRead*` return undefined instead.
 */

import { MemoryUnavailableError, type PhysicalMemory, readPhysical } from '../../dump/physical.js';
import type { PrStatus } from '../../dump/prstatus.js';
import { KtriageError } from '../../errors.js';
import type { MemoryView } from '../../model/memory.js';
import { numberOf, symbolOf, type VmcoreInfo } from '../vmcoreinfo.js';
import { START_KERNEL_MAP, X86_64Paging } from './paging.js';

export interface KernelMemoryParts {
  physical: PhysicalMemory;
  vmcoreinfo: VmcoreInfo;
  /** Per-CPU registers from the dump's NT_PRSTATUS notes. */
  cpus: PrStatus[];
  /** phys_base from the container when VMCOREINFO lacks it (kdump sub-header, ELF PT_LOAD). */
  physBaseHint?: bigint;
}

export class KernelMemory {
  readonly physical: PhysicalMemory;
  readonly vmcoreinfo: VmcoreInfo;
  readonly cpus: PrStatus[];
  readonly physBase: bigint;
  /** KASLR displacement of the kernel image (KERNELOFFSET), 0 when absent. */
  readonly kaslrOffset: bigint;
  readonly pageSize: number;
  readonly paging: X86_64Paging;

  constructor(parts: KernelMemoryParts) {
    const vi = parts.vmcoreinfo;
    this.physical = parts.physical;
    this.vmcoreinfo = vi;
    this.cpus = parts.cpus;
    this.pageSize = parts.physical.pageSize;
    this.kaslrOffset = vi.kernelOffset ?? 0n;
    // phys_base: NUMBER since 4.10, SYMBOL before (where it held the value, not an address).
    const physBase = numberOf(vi, 'phys_base') ?? parts.physBaseHint ?? symbolOf(vi, 'phys_base');
    if (physBase === undefined) {
      throw new KtriageError(
        'missingData',
        'VMCOREINFO has no phys_base and the dump header does not give one: cannot place the kernel image',
      );
    }
    this.physBase = physBase;
    const top =
      symbolOf(vi, 'init_top_pgt') ?? symbolOf(vi, 'init_level4_pgt') ?? symbolOf(vi, 'swapper_pg_dir');
    if (top === undefined) {
      throw new KtriageError(
        'missingData',
        'VMCOREINFO has no init_top_pgt/swapper_pg_dir: cannot walk the kernel page tables',
      );
    }
    this.paging = new X86_64Paging(parts.physical, {
      physBase,
      topTable: top - START_KERNEL_MAP + physBase,
      levels: numberOf(vi, 'pgtable_l5_enabled') === 1n ? 5 : 4,
      kernelImageSize: numberOf(vi, 'KERNEL_IMAGE_SIZE') ?? 0x40000000n,
      smeMask: numberOf(vi, 'sme_mask') ?? 0n,
    });
    this.findDirectMap();
  }

  /**
   * page_offset_base is not in VMCOREINFO, but SYMBOL(mem_section) (SPARSEMEM_EXTREME) points
   * into the direct map: its walked physical address gives the base. Accepted only when 1 GiB
   * aligned (KASLR randomises it in PUD steps) and inside the kernel half; callers that know the
   * symbol's value may set it with `setDirectMapBase`.
   */
  private findDirectMap(): void {
    const probe = symbolOf(this.vmcoreinfo, 'mem_section');
    if (probe === undefined || probe >= START_KERNEL_MAP || probe < 0xff00000000000000n) return;
    try {
      const base = probe - this.paging.walk(probe);
      if (base % 0x40000000n === 0n && base >= 0xff00000000000000n) this.paging.setDirectMapBase(base);
    } catch (error) {
      if (!(error instanceof MemoryUnavailableError)) throw error;
    }
  }

  /** Sets page_offset_base (e.g. once the symbol `page_offset_base` has been read). */
  setDirectMapBase(base: bigint): void {
    this.paging.setDirectMapBase(base);
  }

  get directMapBase(): bigint | undefined {
    return this.paging.directMap;
  }

  virtToPhys(va: bigint): bigint {
    return this.paging.translate(va);
  }

  readPhys(pa: bigint, length: number): Uint8Array {
    return readPhysical(this.physical, pa, length);
  }

  /** `length` bytes of kernel virtual memory; throws MemoryUnavailableError naming the first missing byte. */
  readVirt(va: bigint, length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0 || length > 256 * 1024 * 1024) {
      throw new KtriageError('internal', `readVirt of ${length} bytes at 0x${va.toString(16)}`);
    }
    const pageSize = BigInt(this.pageSize);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = (va + BigInt(done)) & 0xffffffffffffffffn;
      const inPage = Number(at % pageSize);
      const take = Math.min(length - done, this.pageSize - inPage);
      const pa = this.paging.translate(at);
      let page: Uint8Array;
      try {
        page = this.physical.readPage(pa / pageSize);
      } catch (error) {
        if (error instanceof MemoryUnavailableError) {
          throw new MemoryUnavailableError(at, error.reason, 'virtual', `physical 0x${pa.toString(16)}`);
        }
        throw error;
      }
      out.set(page.subarray(inPage, inPage + take), done);
      done += take;
    }
    return out;
  }

  tryReadVirt(va: bigint, length: number): Uint8Array | undefined {
    try {
      return this.readVirt(va, length);
    } catch (error) {
      if (error instanceof MemoryUnavailableError) return undefined;
      throw error;
    }
  }

  readU8(va: bigint): number {
    return this.readVirt(va, 1)[0]!;
  }
  readU16(va: bigint): number {
    return dv(this.readVirt(va, 2)).getUint16(0, true);
  }
  readU32(va: bigint): number {
    return dv(this.readVirt(va, 4)).getUint32(0, true);
  }
  readU64(va: bigint): bigint {
    return dv(this.readVirt(va, 8)).getBigUint64(0, true);
  }

  /** NUL-terminated string of at most `max` bytes (Latin-1), reading page by page. */
  readCString(va: bigint, max = 4096): string {
    let s = '';
    let at = va;
    while (s.length < max) {
      const inPage = Number(at % BigInt(this.pageSize));
      const chunk = this.readVirt(at, Math.min(max - s.length, this.pageSize - inPage));
      const nul = chunk.indexOf(0);
      const part = nul < 0 ? chunk : chunk.subarray(0, nul);
      s += String.fromCharCode(...part);
      if (nul >= 0) break;
      at += BigInt(chunk.length);
    }
    return s;
  }

  /** The model's MemoryView: undefined instead of errors. */
  memoryView(): MemoryView {
    return {
      read: (address, length) => this.tryReadVirt(address, length),
      readU64: (address) => {
        const b = this.tryReadVirt(address, 8);
        return b ? dv(b).getBigUint64(0, true) : undefined;
      },
      readU32: (address) => {
        const b = this.tryReadVirt(address, 4);
        return b ? dv(b).getUint32(0, true) : undefined;
      },
      describe: (address) => {
        try {
          const pa = this.virtToPhys(address);
          return { source: 'dump', address, note: `physical 0x${pa.toString(16)}` };
        } catch {
          return undefined;
        }
      },
    };
  }
}

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/**
 * One crashed kernel as the layers above see it: memory (from src/kernel/x86_64), its symbols
 * (kallsyms from the dump, or --symbols), its types (BTF from the dump), per-cpu data and task state
 * names — each made on first use and kept. The unwinder, `ps`, `bt` and memory analyses take this.
 * Public names: KernelContext, KernelContextOptions. See docs/kernel-api.md.
 */

import { KtriageError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import type { MemoryView } from '../model/memory.js';
import type { Btf } from './btf/btf.js';
import { Types } from './btf/layout.js';
import { btfFromFile, btfFromMemory, moduleBtfsFromMemory } from './btf/locate.js';
import { TypedMemory } from './btf/object.js';
import { type PerCpu, readPerCpu } from './percpu.js';
import { TaskStates } from './sched/states.js';
import type { KernelSymbols } from './symbols/kernel-symbols.js';
import { addModuleSymbols, symbolsFromDump, symbolsFromFile } from './symbols/load.js';
import type { VmcoreInfo } from './vmcoreinfo.js';
import type { KernelMemory } from './x86_64/kernel-memory.js';

export interface KernelContextOptions {
  /** A System.map or vmlinux (`--symbols`): needed for kernels whose VMCOREINFO lacks kallsyms. */
  symbolsFile?: ByteSource;
  /** A BTF blob or an ELF with .BTF (`--btf`), when the dump's own cannot be read. */
  btfFile?: ByteSource;
}

export class KernelContext {
  readonly mem: MemoryView;
  /** Things that could not be read but did not stop the work (for Crash.gaps). */
  readonly problems: string[] = [];
  private coreSymbols: KernelSymbols | undefined;
  private modulesRead = false;
  private btfValue: Btf | undefined;
  private typesValue: Types | undefined;
  private typedValue: TypedMemory | undefined;
  private percpuValue: PerCpu | undefined;
  private statesValue: TaskStates | undefined;
  private moduleBtfValue: Map<bigint, Btf> | undefined;

  constructor(
    readonly kernel: KernelMemory,
    private readonly options: KernelContextOptions = {},
  ) {
    this.mem = kernel.memoryView();
  }

  get vmcoreinfo(): VmcoreInfo {
    return this.kernel.vmcoreinfo;
  }

  /** Core kernel symbols only (no module list walk, no BTF needed). */
  get coreSymbolsOnly(): KernelSymbols {
    if (!this.coreSymbols) {
      this.coreSymbols = this.options.symbolsFile
        ? symbolsFromFile(this.options.symbolsFile, this.vmcoreinfo)
        : symbolsFromDump(this.mem, this.vmcoreinfo);
      const pob = this.coreSymbols.core.address('page_offset_base');
      const base = pob === undefined ? undefined : this.mem.readU64(pob);
      if (base && this.kernel.directMapBase === undefined) this.kernel.setDirectMapBase(base);
    }
    return this.coreSymbols;
  }

  /** All symbols: the core kernel's plus the loaded modules' (read once BTF is available). */
  get symbols(): KernelSymbols {
    const symbols = this.coreSymbolsOnly;
    if (!this.modulesRead) {
      this.modulesRead = true;
      try {
        addModuleSymbols(symbols, this.typed);
      } catch (error) {
        if (!(error instanceof KtriageError)) throw error;
        this.problems.push(`module symbols: ${error.message}`);
      }
    }
    return symbols;
  }

  get btf(): Btf {
    if (!this.btfValue) {
      this.btfValue = this.options.btfFile
        ? btfFromFile(this.options.btfFile)
        : btfFromMemory(this.mem, this.coreSymbolsOnly.core);
    }
    return this.btfValue;
  }

  get types(): Types {
    this.typesValue ??= new Types(this.btf);
    return this.typesValue;
  }

  get typed(): TypedMemory {
    this.typedValue ??= new TypedMemory(this.mem, this.types);
    return this.typedValue;
  }

  /** Split BTF of each loaded module that has one, by `struct module` address. */
  get moduleBtfs(): Map<bigint, Btf> {
    this.moduleBtfValue ??= moduleBtfsFromMemory(this.typed, this.coreSymbolsOnly.core, this.btf);
    return this.moduleBtfValue;
  }

  /** Types of a loaded module by name (`qemu_fw_cfg`), when it has BTF. */
  moduleTypes(name: string): Types | undefined {
    const mod = this.symbols.loadedModules.find((m) => m.name === name);
    const btf = mod ? this.moduleBtfs.get(mod.address) : undefined;
    return btf ? new Types(btf) : undefined;
  }

  get percpu(): PerCpu {
    this.percpuValue ??= readPerCpu(
      this.mem,
      this.coreSymbolsOnly.core,
      this.kernel.cpus.length || undefined,
    );
    return this.percpuValue;
  }

  /** State letters and bits: the dump's own task_state_array[] when readable, else the release's. */
  get taskStates(): TaskStates {
    if (!this.statesValue) {
      const names = this.readTaskStateArray();
      this.statesValue = names ? new TaskStates(names) : TaskStates.forRelease(this.vmcoreinfo.osRelease);
    }
    return this.statesValue;
  }

  private readTaskStateArray(): string[] | undefined {
    const at = this.coreSymbolsOnly.core.byName('task_state_array');
    if (!at?.size || at.size % 8 !== 0 || at.size > 32 * 8) return undefined;
    const names: string[] = [];
    for (let i = 0; i < at.size / 8; i++) {
      const p = this.mem.readU64(at.address + BigInt(8 * i));
      const bytes = p ? this.mem.read(p, 24) : undefined;
      if (!bytes) return undefined;
      const nul = bytes.indexOf(0);
      names.push(new TextDecoder('latin1').decode(bytes.subarray(0, nul < 0 ? bytes.length : nul)));
    }
    return names[0]?.startsWith('R (') ? names : undefined;
  }
}

/**
 * The kernel's symbols as one SymbolView: the core table (kallsyms from the dump, or a System.map /
 * vmlinux given with --symbols) plus one table per loaded module. Addresses print as the kernel's
 * `%pS` does: `func+0x1a/0x40 [module]`. Public names: KernelSymbols, formatSymbol.
 */

import type { SymbolInfo, SymbolView } from '../../model/memory.js';
import type { ModuleInfo } from './modules.js';
import type { SymbolTable } from './table.js';

export type SymbolSource = 'kallsyms' | 'system-map' | 'elf';

export class KernelSymbols implements SymbolView {
  private modules: ModuleInfo[] = [];

  constructor(
    readonly core: SymbolTable,
    readonly source: SymbolSource,
  ) {}

  setModules(modules: ModuleInfo[]): void {
    this.modules = modules;
  }

  get loadedModules(): readonly ModuleInfo[] {
    return this.modules;
  }

  /** The module whose loaded sections contain the address. */
  moduleAt(address: bigint): ModuleInfo | undefined {
    return this.modules.find((m) =>
      m.regions.some((r) => address >= r.base && address < r.base + BigInt(r.size)),
    );
  }

  lookup(address: bigint): { symbol: SymbolInfo; offset: number } | undefined {
    const mod = this.moduleAt(address);
    if (mod) return mod.symbols.lookup(address);
    return this.core.lookup(address);
  }

  /** `name` or `module:name`; the core kernel first, then modules in list order. */
  byName(name: string): SymbolInfo | undefined {
    const colon = name.indexOf(':');
    if (colon > 0) {
      const mod = this.modules.find((m) => m.name === name.slice(0, colon));
      return mod?.symbols.byName(name.slice(colon + 1));
    }
    const core = this.core.byName(name);
    if (core) return core;
    for (const m of this.modules) {
      const s = m.symbols.byName(name);
      if (s) return s;
    }
    return undefined;
  }

  address(name: string): bigint | undefined {
    return this.byName(name)?.address;
  }

  /** `func+0x1a/0x40 [module]`, or undefined when no symbol covers the address. */
  format(address: bigint): string | undefined {
    const hit = this.lookup(address);
    return hit ? formatSymbol(hit.symbol, hit.offset) : undefined;
  }
}

export function formatSymbol(symbol: SymbolInfo, offset: number): string {
  const size = symbol.size === undefined ? '' : `/0x${symbol.size.toString(16)}`;
  const mod = symbol.module ? ` [${symbol.module}]` : '';
  return `${symbol.name}+0x${offset.toString(16)}${size}${mod}`;
}

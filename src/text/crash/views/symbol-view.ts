/**
 * A SymbolView learnt from a transcript: symbol starts from `sym` lines, `dis` lines
 * (`<put_compound_page+332>` at 0xffffffff81178b5c), exception RIPs (`[exception RIP: f+336]` with
 * `RIP: …`), `<symbol>` annotations in struct values; and addresses known to lie inside a symbol
 * from bt frames (`put_page at ffffffff81178bac`). `lookup` answers only inside the known extent of a
 * symbol — from its start to the furthest address seen in it — because sizes are rarely printed.
 */

import type { Evidence, SymbolInfo, SymbolView } from '../../../model/index.js';

interface Entry {
  info: SymbolInfo;
  /** Furthest address known to belong to the symbol. */
  lastKnown?: bigint;
  evidence?: Evidence;
}

/** Offsets above this are not believed (a misread line must not make a 4 GB function). */
const MAX_SYMBOL_SPAN = 1n << 24n;

export class SymbolTable implements SymbolView {
  private readonly byStart = new Map<string, Entry>();
  private readonly inside = new Map<string, bigint>();

  get size(): number {
    return this.byStart.size;
  }

  learnStart(name: string, start: bigint, extra: Partial<SymbolInfo> & { evidence?: Evidence } = {}): void {
    const existing = this.byStart.get(name);
    if (existing) {
      if (existing.info.address !== start) return; // same name elsewhere (a static twin): keep the first
      for (const k of ['size', 'type', 'module'] as const)
        if (existing.info[k] === undefined && extra[k] !== undefined)
          (existing.info as unknown as Record<string, unknown>)[k] = extra[k];
      return;
    }
    const info: SymbolInfo = { name, address: start };
    if (extra.size !== undefined) info.size = extra.size;
    if (extra.type !== undefined) info.type = extra.type;
    if (extra.module !== undefined) info.module = extra.module;
    this.byStart.set(name, { info, ...(extra.evidence ? { evidence: extra.evidence } : {}) });
  }

  /** `name+offset` printed at `address`: the start follows. */
  learnOffset(
    name: string,
    offset: number,
    address: bigint,
    extra: Partial<SymbolInfo> & { evidence?: Evidence } = {},
  ): void {
    if (offset < 0 || BigInt(offset) > MAX_SYMBOL_SPAN) return;
    this.learnStart(name, address - BigInt(offset), extra);
    this.learnInside(name, address);
  }

  /** The address lies inside `name` (a return address or an instruction of it). */
  learnInside(name: string, address: bigint): void {
    const prev = this.inside.get(name);
    if (prev === undefined || address > prev) this.inside.set(name, address);
  }

  byName(name: string): SymbolInfo | undefined {
    return this.byStart.get(name)?.info;
  }

  evidenceOf(name: string): Evidence | undefined {
    return this.byStart.get(name)?.evidence;
  }

  lookup(address: bigint): { symbol: SymbolInfo; offset: number } | undefined {
    let best: Entry | undefined;
    for (const entry of this.byStart.values()) {
      if (entry.info.address > address) continue;
      if (!best || entry.info.address > best.info.address) best = entry;
    }
    if (!best) return undefined;
    const start = best.info.address;
    const end =
      best.info.size !== undefined
        ? start + BigInt(Math.max(best.info.size, 1)) - 1n
        : (this.inside.get(best.info.name) ?? start);
    if (address > end || address - start > MAX_SYMBOL_SPAN) return undefined;
    return { symbol: best.info, offset: Number(address - start) };
  }

  all(): SymbolInfo[] {
    return [...this.byStart.values()].map((e) => e.info);
  }
}

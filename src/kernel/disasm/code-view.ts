/**
 * The model's CodeView over kernel text read from a dump: `around(rip, before, after)` decodes the
 * functions covering the window from their first byte (x86 cannot be decoded backwards reliably, so
 * a window never starts mid-instruction), names each instruction `fn+offset` through the symbols,
 * and keeps decoded functions for the next question. Without a symbol the decoder resynchronises
 * on the asked address. Public names: MemoryCodeView, MAX_FUNCTION_BYTES.
 */

import type { CodeView, Instruction, SymbolView } from '../../model/memory.js';
import { decodeInstructions } from './decode.js';

/** Bigger "functions" are symbol gaps (data, padding): decode a window instead. */
export const MAX_FUNCTION_BYTES = 64 * 1024;
const MAX_CACHED_FUNCTIONS = 256;
const MAX_WINDOW = 4096;

export type ReadBytes = (address: bigint, length: number) => Uint8Array | undefined;

export class MemoryCodeView implements CodeView {
  private readonly functions = new Map<bigint, Instruction[]>();

  constructor(
    private readonly read: ReadBytes,
    private readonly symbols?: SymbolView,
  ) {}

  around(address: bigint, before: number, after: number): Instruction[] {
    const lo = address - BigInt(Math.min(MAX_WINDOW, Math.max(0, Math.floor(before))));
    const hi = address + BigInt(Math.min(MAX_WINDOW, Math.max(1, Math.floor(after))));
    const center = this.functionAt(address);
    if (!center?.instructions.some((i) => i.address === address)) return this.window(lo, address, hi);
    const parts = [center.instructions];
    // Neighbouring functions when the window reaches past the centre one (at most a few).
    let start = center.start;
    for (let i = 0; i < 8 && start > lo; i++) {
      const prev = this.functionAt(start - 1n);
      if (!prev || prev.start >= start) break;
      parts.unshift(prev.instructions);
      start = prev.start;
    }
    let end = center.end;
    for (let i = 0; i < 8 && end < hi; i++) {
      const next = this.functionAt(end);
      if (!next || next.end <= end) break;
      parts.push(next.instructions);
      end = next.end;
    }
    return parts.flat().filter((ins) => ins.address >= lo && ins.address < hi);
  }

  /** The function containing `address` (decoded once), or undefined without a usable symbol. */
  private functionAt(
    address: bigint,
  ): { instructions: Instruction[]; start: bigint; end: bigint } | undefined {
    const hit = this.symbols?.lookup(address);
    const size = hit?.symbol.size;
    if (!hit || size === undefined || size <= 0 || size > MAX_FUNCTION_BYTES) return undefined;
    const start = hit.symbol.address;
    const end = start + BigInt(size);
    let instructions = this.functions.get(start);
    if (!instructions) {
      const bytes = this.read(start, size);
      if (!bytes) return undefined;
      instructions = decodeInstructions(bytes, start, this.symbols ? { symbols: this.symbols } : {});
      if (this.functions.size >= MAX_CACHED_FUNCTIONS) {
        const oldest = this.functions.keys().next().value;
        if (oldest !== undefined) this.functions.delete(oldest);
      }
      this.functions.set(start, instructions);
    }
    return { instructions, start, end };
  }

  /**
   * No symbol: decode from the first start in [lo, address] whose instruction stream lands exactly
   * on `address` (the usual resynchronisation of a backward x86 disassembly).
   */
  private window(lo: bigint, address: bigint, hi: bigint): Instruction[] {
    // The window may begin on an unmapped page (before a module's text): start at the address then.
    const bytes = this.read(lo, Number(hi - lo));
    if (!bytes) {
      if (lo === address) return [];
      return this.window(address, address, hi);
    }
    const options = this.symbols ? { symbols: this.symbols } : {};
    for (let start = lo; start <= address && start < lo + 64n; start++) {
      const skip = Number(start - lo);
      const list = decodeInstructions(bytes.subarray(skip), start, options);
      if (list.some((i) => i.address === address)) return list.filter((i) => i.address < hi);
    }
    return [];
  }
}

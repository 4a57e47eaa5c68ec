/**
 * The model's CodeView over kernel text read from a dump: `around(rip, before, after)` decodes the
 * functions covering the window from their first byte (x86 cannot be decoded backwards reliably, so
 * a window never starts mid-instruction), names each instruction `fn+offset` through the symbols,
 * and keeps decoded functions for the next question. A function is first only split into
 * instructions; just the asked window is formatted (formatting is most of the cost, and analyses ask
 * for a dozen instructions of a function of hundreds). Without a symbol the decoder resynchronises
 * on the asked address. Public names: MemoryCodeView, MAX_FUNCTION_BYTES.
 */

import type { CodeView, Instruction, SymbolView } from '../../model/memory.js';
import { decodeInstructions, instructionStarts } from './decode.js';

/** Bigger "functions" are symbol gaps (data, padding): decode a window instead. */
export const MAX_FUNCTION_BYTES = 64 * 1024;
const MAX_CACHED_FUNCTIONS = 256;
const MAX_WINDOW = 4096;

interface DecodedFunction {
  start: bigint;
  end: bigint;
  bytes: Uint8Array;
  /** Address of each instruction, in order. */
  starts: bigint[];
  /** Instructions formatted so far, by address. */
  formatted: Map<bigint, Instruction>;
}

export type ReadBytes = (address: bigint, length: number) => Uint8Array | undefined;

export class MemoryCodeView implements CodeView {
  private readonly functions = new Map<bigint, DecodedFunction>();

  constructor(
    private readonly read: ReadBytes,
    private readonly symbols?: SymbolView,
  ) {}

  around(address: bigint, before: number, after: number): Instruction[] {
    const lo = address - BigInt(Math.min(MAX_WINDOW, Math.max(0, Math.floor(before))));
    const hi = address + BigInt(Math.min(MAX_WINDOW, Math.max(1, Math.floor(after))));
    const center = this.functionAt(address);
    if (!center?.starts.includes(address)) return this.window(lo, address, hi);
    const parts = [center];
    // Neighbouring functions when the window reaches past the centre one (at most a few).
    let start = center.start;
    for (let i = 0; i < 8 && start > lo; i++) {
      const prev = this.functionAt(start - 1n);
      if (!prev || prev.start >= start) break;
      parts.unshift(prev);
      start = prev.start;
    }
    let end = center.end;
    for (let i = 0; i < 8 && end < hi; i++) {
      const next = this.functionAt(end);
      if (!next || next.end <= end) break;
      parts.push(next);
      end = next.end;
    }
    return parts.flatMap((fn) => this.slice(fn, lo, hi));
  }

  /** The function containing `address` (split into instructions once), or undefined without a usable symbol. */
  private functionAt(address: bigint): DecodedFunction | undefined {
    const hit = this.symbols?.lookup(address);
    const size = hit?.symbol.size;
    if (!hit || size === undefined || size <= 0 || size > MAX_FUNCTION_BYTES) return undefined;
    const start = hit.symbol.address;
    let fn = this.functions.get(start);
    if (!fn) {
      const bytes = this.read(start, size);
      if (!bytes) return undefined;
      fn = {
        start,
        end: start + BigInt(size),
        bytes,
        starts: instructionStarts(bytes, start),
        formatted: new Map(),
      };
      if (this.functions.size >= MAX_CACHED_FUNCTIONS) {
        const oldest = this.functions.keys().next().value;
        if (oldest !== undefined) this.functions.delete(oldest);
      }
      this.functions.set(start, fn);
    }
    return fn;
  }

  /** The function's instructions in [lo, hi), formatted on first request. */
  private slice(fn: DecodedFunction, lo: bigint, hi: bigint): Instruction[] {
    const inside = fn.starts.filter((a) => a >= lo && a < hi);
    if (inside.length === 0) return [];
    if (inside.every((a) => fn.formatted.has(a))) return inside.map((a) => fn.formatted.get(a)!);
    const first = inside[0]!;
    const last = inside[inside.length - 1]!;
    const from = Number(first - fn.start);
    const next = fn.starts.find((a) => a > last);
    const to = next === undefined ? fn.bytes.length : Number(next - fn.start);
    const options = this.symbols ? { symbols: this.symbols } : {};
    for (const ins of decodeInstructions(fn.bytes.subarray(from, to), first, options))
      fn.formatted.set(ins.address, ins);
    return inside.map((a) => fn.formatted.get(a)).filter((i): i is Instruction => i !== undefined);
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

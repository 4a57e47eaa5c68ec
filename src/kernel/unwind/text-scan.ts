/**
 * crash's `bt -t`: every word of a backtrace's stacks that holds a kernel text address, from where
 * the backtrace starts up to the top of each stack it passed through (exception and IRQ stacks,
 * then the task's own), whatever the unwinder made of them. It is the view to read when an unwind
 * stops early or looks wrong: return addresses the ORC walk skipped, stale ones, function pointers.
 * Each word says whether the code before it is a call instruction (a plausible return address; the
 * others print with `?`). Public names: RouteFrame, RouteException, ScanRoute, TextScanEnv, TextWord,
 * TextScanItem, TextScan, scanStackText.
 *
 * Where a stack is left through a pt_regs (the top of an NMI/exception stack), the scan of that
 * stack stops at the pt_regs, and the next stack starts at the interrupted RSP with a line for the
 * interrupted RIP, as crash prints it. The hard-IRQ stack is left through the SP `call_on_irqstack()`
 * saved in its top word (arch/x86/include/asm/irq_stack.h): the task stack is scanned from there.
 * A pt_regs in the middle of a stack (an interrupt taken on the task stack) is scanned through.
 */

import type { SymbolView } from '../../model/memory.js';
import { callSiteBefore } from './call-site.js';
import { IRET_FRAME_OFFSET } from './pt-regs.js';
import type { StackKind, StackMemory, StackRegion } from './stack-memory.js';
import type { ReadVirt } from './table-bytes.js';

/** A frame of the backtrace: where its PC was found (return-address slot, or SP when exact). */
export interface RouteFrame {
  slot: bigint;
  pc: bigint;
  /** A frame the unwinder is sure of: its word is never marked `?`. */
  reliable?: boolean;
}

/** A pt_regs the backtrace crossed (`address` undefined for registers saved elsewhere). */
export interface RouteException {
  beforeFrame: number;
  address?: bigint;
  regs: Record<string, bigint>;
}

/** The backtrace the scan follows across stacks. */
export interface ScanRoute {
  frames: RouteFrame[];
  exceptions: RouteException[];
}

export interface TextScanEnv {
  isText(address: bigint): boolean;
  symbols: SymbolView;
  /** Code bytes, to tell return addresses (after a call) from other text words. */
  readText?: ReadVirt;
}

export interface TextWord {
  /** Where the word is (for an interrupted RIP: the interrupted RSP, as crash prints it). */
  slot: bigint;
  value: bigint;
  stack: StackKind;
  fn?: string;
  offset?: number;
  module?: string;
  /**
   * A frame of the backtrace, a return address (the code before it is a call) or an interrupted
   * RIP; false prints `?`.
   */
  sure: boolean;
}

export type TextScanItem =
  | ({ kind: 'word' } & TextWord)
  /** The register block of `route.exceptions[index]` goes here. */
  | { kind: 'exception'; index: number }
  /** The scan leaves a stack (crash's `--- <IRQ stack> ---`). */
  | { kind: 'leave'; stack: StackKind };

export interface TextScan {
  /** crash's `START:` — the first frame's PC and the symbol containing it. */
  start?: { pc: bigint; fn?: string };
  items: TextScanItem[];
}

const IP_SLOT = BigInt(IRET_FRAME_OFFSET);

function symbolOf(
  value: bigint,
  exact: boolean,
  symbols: SymbolView,
): Pick<TextWord, 'fn' | 'offset' | 'module'> {
  // A return address belongs to the function of the call before it (value - 1); a word that is a
  // function's first byte (a function pointer) to that function, as crash names both.
  const at = symbols.lookup(value);
  const hit = exact || at?.offset === 0 ? at : symbols.lookup(value - 1n);
  if (!hit) return {};
  const offset = exact || at?.offset === 0 ? hit.offset : hit.offset + 1;
  return { fn: hit.symbol.name, offset, ...(hit.symbol.module ? { module: hit.symbol.module } : {}) };
}

/**
 * Kernel or module text, and not a data symbol: a module's text range (as the unwinder knows it)
 * covers its whole core layout, data (`lab_lock_a`, type `b`) included.
 */
function isCode(value: bigint, env: TextScanEnv): boolean {
  if (!env.isText(value)) return false;
  const type = env.symbols.lookup(value)?.symbol.type;
  return type === undefined || /^[tTwW]$/.test(type);
}

interface Segment {
  region: StackRegion | undefined;
  /** Index of the segment's first frame. */
  first: number;
  frames: RouteFrame[];
}

/** Consecutive frames on one stack. */
function segmentsOf(route: ScanRoute, mem: StackMemory): Segment[] {
  const out: Segment[] = [];
  route.frames.forEach((f, i) => {
    const region = mem.regionOf(f.slot);
    const last = out.at(-1);
    if (last && last.region === region) last.frames.push(f);
    else out.push({ region, first: i, frames: [f] });
  });
  return out;
}

const inside = (r: StackRegion | undefined, a: bigint | undefined): boolean =>
  r !== undefined && a !== undefined && a >= r.start && a < r.end;

/** Scans the stacks a backtrace passed through for words holding kernel text addresses. */
export function scanStackText(route: ScanRoute, mem: StackMemory, env: TextScanEnv): TextScan {
  const items: TextScanItem[] = [];
  const first = route.frames[0];
  if (!first) return { items };
  const start = {
    pc: first.pc,
    ...(env.symbols.lookup(first.pc) ? { fn: env.symbols.lookup(first.pc)!.symbol.name } : {}),
  };
  // Words known good without looking at code: the backtrace's reliable frames, pt_regs RIPs.
  const knownGood = new Set<string>();
  const key = (slot: bigint, value: bigint) => `${slot}:${value}`;
  for (const f of route.frames) if (f.reliable) knownGood.add(key(f.slot, f.pc));
  for (const e of route.exceptions) {
    if (e.address !== undefined && e.regs.rip !== undefined)
      knownGood.add(key(e.address + IP_SLOT, e.regs.rip));
  }
  const placed = new Set<number>();
  const word = (slot: bigint, value: bigint, stack: StackKind, exact = false): TextScanItem => ({
    kind: 'word',
    slot,
    value,
    stack,
    ...symbolOf(value, exact, env.symbols),
    sure:
      exact ||
      knownGood.has(key(slot, value)) ||
      (env.readText !== undefined && callSiteBefore(value, env.readText).kind !== 'none'),
  });
  const exceptionsIn = (from: bigint, to: bigint) =>
    route.exceptions
      .map((e, index) => ({ e, index }))
      .filter(
        ({ e, index }) =>
          !placed.has(index) && e.address !== undefined && e.address >= from && e.address < to,
      );

  const segments = segmentsOf(route, mem);
  let from = first.slot;
  segments.forEach((seg, k) => {
    const next = segments[k + 1];
    const region = seg.region;
    // The pt_regs through which the backtrace leaves this stack, when it lies on it.
    const exit = next
      ? route.exceptions.findIndex((e) => e.beforeFrame === next.first && inside(region, e.address))
      : -1;
    if (!region) {
      // Frames on no known stack: their own words are all there is to show.
      for (const f of seg.frames) items.push(word(f.slot, f.pc, 'unknown'));
    } else {
      // Scan up to the pt_regs the backtrace leaves through, else to the top of the stack.
      const to = exit >= 0 ? route.exceptions[exit]!.address! : region.end;
      const regsHere = exceptionsIn(from, to);
      for (let at = (from + 7n) & ~7n; at + 8n <= to; at += 8n) {
        while (regsHere[0] && regsHere[0].e.address! <= at) {
          items.push({ kind: 'exception', index: regsHere[0].index });
          placed.add(regsHere.shift()!.index);
        }
        const v = mem.word(at);
        if (v !== undefined && isCode(v, env)) items.push(word(at, v, region.kind));
      }
      for (const { index } of regsHere) {
        items.push({ kind: 'exception', index });
        placed.add(index);
      }
      if (exit >= 0) {
        items.push({ kind: 'exception', index: exit });
        placed.add(exit);
      }
    }
    if (!next) return;
    // Register frames not on a scanned stack (saved elsewhere) go where the backtrace crossed them.
    route.exceptions.forEach((e, index) => {
      if (!placed.has(index) && e.beforeFrame <= next.first && !inside(region, e.address)) {
        if (e.address === undefined || !inside(next.region, e.address)) {
          items.push({ kind: 'exception', index });
          placed.add(index);
        }
      }
    });
    items.push({ kind: 'leave', stack: region?.kind ?? 'unknown' });
    const crossed = exit >= 0 ? route.exceptions[exit] : undefined;
    from = entrySp(seg.region, next, crossed, mem);
    const rip = crossed?.regs.rip;
    if (rip !== undefined && env.isText(rip))
      items.push(word(from, rip, next.region?.kind ?? 'unknown', true));
  });
  route.exceptions.forEach((_, index) => {
    if (!placed.has(index)) items.push({ kind: 'exception', index });
  });
  return { start, items };
}

/**
 * Where the scan of the next stack begins: the interrupted RSP of the pt_regs it was left through,
 * the SP saved at the top of the IRQ stack, or the next stack's first frame.
 */
function entrySp(
  left: StackRegion | undefined,
  next: Segment,
  crossed: RouteException | undefined,
  mem: StackMemory,
): bigint {
  const firstSlot = next.frames[0]!.slot;
  const rsp = crossed?.regs.rsp;
  if (rsp !== undefined && inside(next.region, rsp) && rsp <= firstSlot) return rsp;
  if (left?.kind === 'irq') {
    const link = mem.word(left.end - 8n);
    if (link !== undefined && inside(next.region, link) && link <= firstSlot) return link;
  }
  return firstSlot;
}

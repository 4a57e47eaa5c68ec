/**
 * The stacks a CPU or task may run on (x86_64, arch/x86/kernel/dumpstack_64.c): the task's thread
 * stack, the per-cpu hard-irq stack (softirqs run there too on x86_64), the IST exception stacks of
 * `cpu_entry_area` (DF, NMI, DB, MCE, VC, VC2) and the entry trampoline stack; and word reads
 * confined to them, a page at a time and cached, as the kernel's `stack_access_ok()` confines its
 * unwinder. Public names: StackKind, StackRegion, StackMemory, STACK_LABELS.
 */

import type { ReadVirt } from './table-bytes.js';

export type StackKind = 'task' | 'irq' | 'nmi' | 'db' | 'df' | 'mce' | 'vc' | 'vc2' | 'entry' | 'unknown';

export interface StackRegion {
  kind: StackKind;
  /** [start, end): end is the first byte above the stack. */
  start: bigint;
  end: bigint;
}

/** How crash names a stack in its `--- <… stack> ---` separator lines. */
export const STACK_LABELS: Record<StackKind, string> = {
  task: 'task stack',
  irq: 'IRQ stack',
  nmi: 'NMI exception stack',
  db: 'DEBUG exception stack',
  df: 'DOUBLEFAULT exception stack',
  mce: 'MCE exception stack',
  vc: 'VC exception stack',
  vc2: 'VC2 exception stack',
  entry: 'ENTRY stack',
  unknown: 'unknown stack',
};

const PAGE = 4096n;

/** Word reads on a set of stacks; reads outside them return undefined unless `anywhere` is set. */
export class StackMemory {
  private readonly pages = new Map<bigint, DataView | null>();

  constructor(
    private readonly read: ReadVirt,
    readonly regions: StackRegion[],
    /** Allow reads outside the known stacks (their region reports as `unknown`). */
    private readonly anywhere = false,
  ) {}

  regionOf(address: bigint): StackRegion | undefined {
    for (const r of this.regions) if (address >= r.start && address < r.end) return r;
    return undefined;
  }

  kindOf(address: bigint): StackKind {
    return this.regionOf(address)?.kind ?? 'unknown';
  }

  /** Is [address, address+length) inside one known stack (or anywhere, when allowed)? */
  accessible(address: bigint, length: number): boolean {
    const r = this.regionOf(address);
    if (r) return address + BigInt(length) <= r.end;
    return this.anywhere;
  }

  private page(pageAddress: bigint): DataView | null {
    let view = this.pages.get(pageAddress);
    if (view === undefined) {
      const bytes = this.read(pageAddress, Number(PAGE));
      view = bytes ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null;
      this.pages.set(pageAddress, view);
    }
    return view;
  }

  /** The u64 at `address` (8-aligned or not), or undefined when outside the stacks or not in the dump. */
  word(address: bigint): bigint | undefined {
    if (!this.accessible(address, 8)) return undefined;
    const inPage = Number(address & (PAGE - 1n));
    if (inPage <= 4096 - 8) {
      const view = this.page(address - BigInt(inPage));
      if (view) return view.getBigUint64(inPage, true);
    }
    // A page the reader could not give whole may still give words (sparse test memories, crash
    // `bt -f` transcripts); a dump page is all or nothing, so this costs only on missing pages.
    const bytes = this.read(address, 8);
    return bytes ? new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true) : undefined;
  }

  /** `length` bytes at `address` within the stacks (pt_regs), or undefined. */
  bytes(address: bigint, length: number): Uint8Array | undefined {
    if (!this.accessible(address, length)) return undefined;
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = address + BigInt(done);
      const inPage = Number(at & (PAGE - 1n));
      const view = this.page(at - BigInt(inPage));
      if (!view) return this.read(address, length);
      const take = Math.min(length - done, 4096 - inPage);
      out.set(new Uint8Array(view.buffer, view.byteOffset + inPage, take), done);
      done += take;
    }
    return out;
  }
}

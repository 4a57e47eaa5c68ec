/** A CodeView over the instructions a transcript's `dis` commands printed. */

import type { CodeView, Instruction } from '../../../model/index.js';

export class InstructionList implements CodeView {
  private readonly sorted: Instruction[];

  constructor(instructions: Instruction[]) {
    const byAddress = new Map<bigint, Instruction>();
    for (const ins of instructions) if (!byAddress.has(ins.address)) byAddress.set(ins.address, ins);
    this.sorted = [...byAddress.values()].sort((a, b) =>
      a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
    );
  }

  get size(): number {
    return this.sorted.length;
  }

  all(): readonly Instruction[] {
    return this.sorted;
  }

  at(address: bigint): Instruction | undefined {
    return this.sorted.find((i) => i.address === address);
  }

  around(address: bigint, before: number, after: number): Instruction[] {
    const lo = address - BigInt(Math.max(0, Math.floor(before)));
    const hi = address + BigInt(Math.max(0, Math.floor(after)));
    return this.sorted.filter((i) => i.address >= lo && i.address < hi);
  }
}

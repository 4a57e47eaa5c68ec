/**
 * Per-CPU variables: CPU `n`'s copy of a per-cpu symbol lives at `&var + __per_cpu_offset[n]`. On
 * x86_64 until v6.15 per-cpu symbols are small offsets from 0 (the "absolute per-cpu" layout);
 * since then they are ordinary kernel addresses; the sum is right for both. Also which CPUs exist
 * and were online. Public names: PerCpu, readPerCpu.
 */

import { KtriageError } from '../errors.js';
import type { MemoryView } from '../model/memory.js';

interface NamedAddresses {
  address(name: string): bigint | undefined;
}

/** Largest CPU count we accept from `nr_cpu_ids` (NR_CPUS is at most 8192 on x86_64). */
const MAX_CPUS = 65536;

export interface PerCpu {
  /** nr_cpu_ids: CPU ids are below this. */
  possible: number;
  /** __per_cpu_offset[cpu] for cpu < possible. */
  offsets: bigint[];
  /** CPUs set in the online mask (all possible ones when the mask is unreadable). */
  online: number[];
  /** Address of CPU `cpu`'s copy of the per-cpu variable at `address`. */
  address(address: bigint, cpu: number): bigint;
}

function readBitmap(mem: MemoryView, address: bigint, bits: number): number[] | undefined {
  const bytes = mem.read(address, Math.ceil(bits / 64) * 8);
  if (!bytes) return undefined;
  const out: number[] = [];
  for (let cpu = 0; cpu < bits; cpu++) if (bytes[cpu >> 3]! & (1 << (cpu & 7))) out.push(cpu);
  return out;
}

/**
 * Reads nr_cpu_ids, __per_cpu_offset[] and the online mask. `fallbackCpus` (the dump's NT_PRSTATUS
 * count) is used when nr_cpu_ids is not readable.
 */
export function readPerCpu(mem: MemoryView, symbols: NamedAddresses, fallbackCpus?: number): PerCpu {
  const offsetsAt = symbols.address('__per_cpu_offset');
  if (offsetsAt === undefined)
    throw new KtriageError('missingData', 'per-cpu data: no __per_cpu_offset symbol');
  const nrAt = symbols.address('nr_cpu_ids');
  let possible = nrAt === undefined ? undefined : mem.readU32(nrAt);
  if (possible === undefined || possible === 0 || possible > MAX_CPUS) possible = fallbackCpus;
  if (!possible) throw new KtriageError('missingData', 'per-cpu data: nr_cpu_ids is not readable');
  const raw = mem.read(offsetsAt, possible * 8);
  if (!raw)
    throw new KtriageError(
      'missingData',
      `per-cpu data: __per_cpu_offset (${possible} CPUs) is not in the dump`,
    );
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const offsets = Array.from({ length: possible }, (_, i) => view.getBigUint64(8 * i, true));

  // __cpu_online_mask since c4c54dd1caf1 ("kernel/cpu.c: change type of cpu_possible_bits and
  // friends", v4.5); cpu_online_bits before it.
  let online: number[] | undefined;
  const mask = symbols.address('__cpu_online_mask') ?? symbols.address('cpu_online_bits');
  if (mask !== undefined) online = readBitmap(mem, mask, possible);
  else {
    const ptr = symbols.address('cpu_online_mask');
    const bits = ptr === undefined ? undefined : mem.readU64(ptr);
    if (bits) online = readBitmap(mem, bits, possible);
  }
  if (!online || online.length === 0) online = Array.from({ length: possible }, (_, i) => i);

  const mod = 1n << 64n;
  return {
    possible,
    offsets,
    online,
    address(address: bigint, cpu: number): bigint {
      const off = offsets[cpu];
      if (off === undefined)
        throw new KtriageError('internal', `per-cpu: CPU ${cpu} ≥ nr_cpu_ids ${possible}`);
      return (address + off) % mod;
    },
  };
}

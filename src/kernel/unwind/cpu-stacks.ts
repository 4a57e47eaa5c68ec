/**
 * Where each CPU's and task's stacks are in a dump (x86_64). Public names: threadSizeOf,
 * perCpuOffset, perCpuAddress, cpuStackRegions, taskStackRegion, currentTaskOf.
 *
 * Layout history handled here:
 * - per-cpu `hardirq_stack_ptr` and `current_task` moved into `struct pcpu_hot` in v6.2
 *   (7443b296e699 "x86/percpu: Move current_task to percpu hot section" and the following
 *   commits); both are read from whichever exists.
 * - `hardirq_stack_ptr` points 8 bytes below the stack top since 951c2a51ae75 ("x86/irq/64: Adjust
 *   the per CPU irq stack pointer by 8", v5.12): the top slot holds the interrupted SP. Before, it
 *   was the top itself. Both are recognised by the pointer's alignment.
 * - the IST stacks live in `cpu_entry_area` as `struct cea_exception_stacks` (per-cpu pointer
 *   `cea_exception_stacks`) since 019b17b3ffe4 ("x86/exceptions: Add structs for exception
 *   stacks", v5.2); member names come from BTF, the v6.1 layout (one page each, guard pages
 *   between) otherwise.
 */

import type { KernelLayout, NamedAddresses } from './orc-load.js';
import type { StackKind, StackRegion } from './stack-memory.js';
import type { ReadVirt } from './table-bytes.js';

const PAGE = 4096n;
const DEFAULT_THREAD_SIZE = 0x4000;

/** IST stack members of `struct cea_exception_stacks` → our stack kinds. */
const IST_MEMBERS: [string, StackKind][] = [
  ['DF_stack', 'df'],
  ['NMI_stack', 'nmi'],
  ['DB_stack', 'db'],
  ['DB1_stack', 'db'],
  ['MCE_stack', 'mce'],
  ['VC_stack', 'vc'],
  ['VC2_stack', 'vc2'],
];

/** v6.1 without BTF: guard page, stack page, … (EXCEPTION_STKSZ = PAGE_SIZE, no KASAN). */
const IST_FALLBACK: [number, StackKind][] = [
  [0x1000, 'df'],
  [0x3000, 'nmi'],
  [0x5000, 'db'],
  [0x7000, 'mce'],
  [0x9000, 'vc'],
  [0xb000, 'vc2'],
];

function u64(read: ReadVirt, at: bigint): bigint | undefined {
  const b = read(at, 8);
  return b ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) : undefined;
}

/** THREAD_SIZE: `__end_init_task - init_stack` (the init task's stack is one), else 16 KiB. */
export function threadSizeOf(symbols: NamedAddresses): number {
  const start = symbols.address('init_stack') ?? symbols.address('init_thread_union');
  const end = symbols.address('__end_init_task');
  if (start !== undefined && end !== undefined) {
    const size = Number(end - start);
    if (size >= 0x2000 && size <= 0x40000 && (size & (size - 1)) === 0) return size;
  }
  return DEFAULT_THREAD_SIZE;
}

/** `__per_cpu_offset[cpu]`, or undefined. */
export function perCpuOffset(read: ReadVirt, symbols: NamedAddresses, cpu: number): bigint | undefined {
  const table = symbols.address('__per_cpu_offset');
  if (table === undefined || cpu < 0 || cpu > 65535) return undefined;
  return u64(read, table + BigInt(cpu * 8));
}

/** Address of a per-cpu variable (`name`, or `hotStruct.member` of `pcpu_hot`) on a CPU. */
export function perCpuAddress(
  symbols: NamedAddresses,
  layout: KernelLayout | undefined,
  offset: bigint,
  name: string,
): bigint | undefined {
  const hot = symbols.address('pcpu_hot');
  const member = hot !== undefined ? layout?.offsetOf('pcpu_hot', name) : undefined;
  if (hot !== undefined && member !== undefined) return (hot + offset + BigInt(member)) & 0xffffffffffffffffn;
  const plain = symbols.address(name);
  return plain === undefined ? undefined : (plain + offset) & 0xffffffffffffffffn;
}

/** The task running on a CPU (`current_task` / `pcpu_hot.current_task`). */
export function currentTaskOf(
  read: ReadVirt,
  symbols: NamedAddresses,
  layout: KernelLayout | undefined,
  cpu: number,
): bigint | undefined {
  const offset = perCpuOffset(read, symbols, cpu);
  if (offset === undefined) return undefined;
  const at = perCpuAddress(symbols, layout, offset, 'current_task');
  return at === undefined ? undefined : u64(read, at);
}

/** The hard-irq stack and IST exception stacks of one CPU (what is readable of them). */
export function cpuStackRegions(
  read: ReadVirt,
  symbols: NamedAddresses,
  layout: KernelLayout | undefined,
  cpu: number,
  threadSize: number,
): StackRegion[] {
  const offset = perCpuOffset(read, symbols, cpu);
  if (offset === undefined) return [];
  const regions: StackRegion[] = [];
  const irqPtrAt = perCpuAddress(symbols, layout, offset, 'hardirq_stack_ptr');
  const irqPtr = irqPtrAt === undefined ? undefined : u64(read, irqPtrAt);
  if (irqPtr) {
    const inPage = irqPtr % PAGE;
    const end = inPage === PAGE - 8n ? irqPtr + 8n : inPage === 0n ? irqPtr : undefined;
    if (end !== undefined) regions.push({ kind: 'irq', start: end - BigInt(threadSize), end });
  }
  const ceaAt = perCpuAddress(symbols, layout, offset, 'cea_exception_stacks');
  const cea = ceaAt === undefined ? undefined : u64(read, ceaAt);
  if (cea) {
    const fromBtf: StackRegion[] = [];
    for (const [member, kind] of IST_MEMBERS) {
      const at = layout?.offsetOf('cea_exception_stacks', member);
      if (at === undefined) continue;
      const size = layout?.memberSize?.('cea_exception_stacks', member) ?? Number(PAGE);
      // VC stacks are zero-sized without CONFIG_AMD_MEM_ENCRYPT.
      if (size > 0) fromBtf.push({ kind, start: cea + BigInt(at), end: cea + BigInt(at + size) });
    }
    regions.push(...(fromBtf.length > 0 ? fromBtf : fallbackIst(cea)));
  }
  return regions;
}

function fallbackIst(cea: bigint): StackRegion[] {
  return IST_FALLBACK.map(([at, kind]) => ({ kind, start: cea + BigInt(at), end: cea + BigInt(at) + PAGE }));
}

/** A task's thread stack `[task->stack, + THREAD_SIZE)`. */
export function taskStackRegion(
  read: ReadVirt,
  layout: KernelLayout | undefined,
  task: bigint,
  threadSize: number,
): StackRegion | undefined {
  const off = layout?.offsetOf('task_struct', 'stack');
  if (off === undefined) return undefined;
  const base = u64(read, task + BigInt(off));
  if (!base || base % PAGE !== 0n) return undefined;
  return { kind: 'task', start: base, end: base + BigInt(threadSize) };
}

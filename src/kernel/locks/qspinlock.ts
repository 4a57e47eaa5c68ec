/**
 * Queued spinlocks (`arch_spinlock_t` on x86_64 since v4.2): one 32-bit word holding the locked
 * byte, the pending bit(s) and the MCS queue's tail (CPU + 1 and per-CPU node index). With fewer
 * than 16K CPUs the word splits into `locked` (bits 0-7), `pending` (8-15), tail index (16-17) and
 * tail CPU + 1 (18-31); with more, pending is one bit and the tail starts at bit 9
 * (include/asm-generic/qspinlock_types.h). The layout is told by BTF: the 16-bit `tail` member exists
 * only in the first. The queue's head waiter is found by following the per-CPU `qnodes` MCS nodes
 * (`mcs_spinlock.next`) to the tail. Public names: QSpinlockState, decodeQSpinlock, queueHead.
 */

import type { MemoryView } from '../../model/memory.js';

export interface QSpinlockState {
  value: number;
  locked: boolean;
  pending: boolean;
  /** The last queued waiter: CPU and node index, when the queue is not empty. */
  tail?: { cpu: number; index: number };
  /** `val 1 (locked, no queued waiter)` */
  text: string;
}

export function decodeQSpinlock(value: number, smallTail = true): QSpinlockState {
  const v = value >>> 0;
  const locked = (v & 0xff) !== 0;
  const pending = smallTail ? ((v >>> 8) & 0xff) !== 0 : ((v >>> 8) & 1) !== 0;
  const tailShift = smallTail ? 16 : 9;
  const index = (v >>> tailShift) & 3;
  const cpuPlusOne = v >>> (tailShift + 2);
  const state: QSpinlockState = { value: v, locked, pending, text: '' };
  if (cpuPlusOne > 0) state.tail = { cpu: cpuPlusOne - 1, index };
  const parts = [locked ? 'locked' : 'unlocked'];
  if (pending) parts.push('pending waiter');
  parts.push(state.tail ? `queue tail CPU ${state.tail.cpu} node ${state.tail.index}` : 'no queued waiter');
  state.text = `val 0x${v.toString(16)} (${parts.join(', ')})`;
  return state;
}

export interface QnodeLayout {
  /** Address of CPU `cpu`'s `qnodes` array. */
  qnodes(cpu: number): bigint | undefined;
  /** sizeof(struct qnode): 16, or 32 with paravirt spinlocks. */
  nodeSize: number;
  /** Offset of `mcs.next` in the node (0). */
  nextOffset: number;
  cpus: number;
}

const MAX_NODES = 4;

/**
 * The CPU at the head of the MCS queue that ends at `tail` (the one spinning on the lock word
 * itself; the others spin on their own node): the in-use node from which `next` pointers reach the
 * tail and which no other node points to.
 */
export function queueHead(
  mem: MemoryView,
  layout: QnodeLayout,
  tail: { cpu: number; index: number },
): { cpu: number; index: number; length: number } | undefined {
  const nodeAt = (cpu: number, index: number) => {
    const base = layout.qnodes(cpu);
    return base === undefined ? undefined : base + BigInt(index * layout.nodeSize);
  };
  const tailNode = nodeAt(tail.cpu, tail.index);
  if (tailNode === undefined) return undefined;
  const owners = new Map<bigint, { cpu: number; index: number }>();
  const next = new Map<bigint, bigint>();
  for (let cpu = 0; cpu < layout.cpus; cpu++) {
    for (let index = 0; index < MAX_NODES; index++) {
      const node = nodeAt(cpu, index);
      if (node === undefined) break;
      owners.set(node, { cpu, index });
      const n = mem.readU64(node + BigInt(layout.nextOffset));
      if (n) next.set(node, n);
    }
  }
  const pointedTo = new Set(next.values());
  for (const [node, who] of owners) {
    if (pointedTo.has(node)) continue;
    let at: bigint | undefined = node;
    for (let length = 1; at !== undefined && length <= layout.cpus * MAX_NODES; length++) {
      if (at === tailNode) return { ...who, length };
      at = next.get(at);
    }
  }
  return undefined;
}

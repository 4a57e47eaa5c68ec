/**
 * Each CPU's view of the scheduler at the crash: `current`, the runqueue's `curr` as a cross-check,
 * and its idle task. Public names: CpuSched, readCpus.
 *
 * `current` on x86_64: the per-cpu `current_task` until e57ef2ed97c1 ("x86: Put hot per CPU
 * variables into a struct", v6.2) moved it to `pcpu_hot.current_task`; "x86/percpu: Move
 * current_task to percpu hot section" (v6.15) made it a plain per-cpu variable again.
 */

import type { KernelContext } from '../kernel-context.js';

export interface CpuSched {
  cpu: number;
  online: boolean;
  /** The per-cpu `current` task_struct. */
  current?: bigint;
  /** runqueues[cpu].curr. */
  rqCurr?: bigint;
  /** runqueues[cpu].idle (swapper/N). */
  idle?: bigint;
  /** rq->nr_running. */
  nrRunning?: number;
  /** rq->clock (ns): the runqueue's idea of now, for "how long since this task ran". */
  clock?: bigint;
}

export function readCpus(ctx: KernelContext): CpuSched[] {
  const core = ctx.coreSymbolsOnly.core;
  const types = ctx.types;
  const percpu = ctx.percpu;
  const mem = ctx.mem;
  let currentAt = core.address('current_task');
  const hot = core.address('pcpu_hot');
  const hotCurrent = types.member('pcpu_hot', 'current_task');
  if (currentAt === undefined && hot !== undefined && hotCurrent) currentAt = hot + BigInt(hotCurrent.offset);
  const rq = core.address('runqueues');
  const curr = types.member('rq', 'curr');
  const idle = types.member('rq', 'idle');
  const nrRunning = types.member('rq', 'nr_running');
  const clock = types.member('rq', 'clock');
  const online = new Set(percpu.online);
  const out: CpuSched[] = [];
  for (let cpu = 0; cpu < percpu.possible; cpu++) {
    const c: CpuSched = { cpu, online: online.has(cpu) };
    if (currentAt !== undefined) c.current = mem.readU64(percpu.address(currentAt, cpu)) || undefined;
    if (rq !== undefined) {
      const base = percpu.address(rq, cpu);
      if (curr) c.rqCurr = mem.readU64(base + BigInt(curr.offset)) || undefined;
      if (idle) c.idle = mem.readU64(base + BigInt(idle.offset)) || undefined;
      if (nrRunning) c.nrRunning = mem.readU32(base + BigInt(nrRunning.offset));
      if (clock) c.clock = mem.readU64(base + BigInt(clock.offset));
    }
    out.push(c);
  }
  return out;
}

/**
 * A process's memory as `ps` shows it: RSS (file + anon + shmem pages) and VSZ (`total_vm`), read
 * from its `mm_struct`. Public names: MmLayout, mmLayout, processMemory.
 *
 * Layouts: `mm->rss_stat.count[]` (atomic_long_t) until f1a7941243c1 ("mm: convert mm's rss stats
 * into percpu_counter", v6.2) made `mm->rss_stat[]` per-cpu counters; before v6.2 each thread also
 * caches unsynced deltas in `task->rss_stat.count[]` (SPLIT_RSS_COUNTING), which crash adds too.
 */

import type { MemoryView } from '../../model/memory.js';
import type { Types } from '../btf/layout.js';
import type { PerCpu } from '../percpu.js';

export interface MmLayout {
  totalVm: number | undefined;
  /** Counter indexes of MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES (-1 when absent). */
  counters: { file: number; anon: number; shmem: number };
  /** atomic_long_t count[] at this offset (≤ v6.1). */
  atomicCounts: number | undefined;
  /** percpu_counter rss_stat[] (v6.2+): array offset, element size, `count` and `counters` offsets. */
  percpu: { offset: number; stride: number; count: number; counters: number } | undefined;
  /** task_struct.rss_stat.count[] (int) of SPLIT_RSS_COUNTING kernels. */
  taskCounts: number | undefined;
}

export function mmLayout(t: Types): MmLayout {
  const rss = t.member('mm_struct', 'rss_stat');
  const arr = rss ? t.arrayOf(rss.type) : undefined;
  const countArray = t.member('mm_struct', 'rss_stat.count');
  const nr = arr?.count ?? (countArray ? t.arrayOf(countArray.type)?.count : undefined);
  // enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES } since eca56ff906bd ("mm, shmem:
  // add internal shmem resident memory accounting", v4.5); used when BTF lacks the enum.
  const index = (name: string, fallback: number) => Number(t.enumValue(name) ?? BigInt(fallback));
  const counters = {
    file: index('MM_FILEPAGES', 0),
    anon: index('MM_ANONPAGES', 1),
    shmem: index('MM_SHMEMPAGES', nr !== undefined && nr >= 4 ? 3 : -1),
  };
  let percpu: MmLayout['percpu'];
  let atomicCounts: number | undefined;
  if (rss && arr) {
    const count = t.member(arr.elem, 'count');
    const per = t.member(arr.elem, 'counters');
    const stride = t.sizeof(arr.elem);
    if (count && per && stride)
      percpu = { offset: rss.offset, stride, count: count.offset, counters: per.offset };
  } else if (rss) {
    atomicCounts = t.member('mm_struct', 'rss_stat.count')?.offset;
  }
  return {
    totalVm: t.member('mm_struct', 'total_vm')?.offset,
    counters,
    atomicCounts,
    percpu,
    taskCounts: t.member('task_struct', 'rss_stat.count')?.offset,
  };
}

function s64(mem: MemoryView, address: bigint): number {
  const v = mem.readU64(address);
  return v === undefined ? 0 : Number(BigInt.asIntN(64, v));
}

export interface ProcessMemory {
  /** get_mm_rss(): file + anon + shmem pages (what /proc/PID/status VmRSS shows). */
  rssPages: number;
  filePages: number;
  anonPages: number;
  shmemPages: number;
  totalVmPages: number;
}

/** RSS and VSZ in pages; `threads` are the group's task_structs (for split RSS counting). */
export function processMemory(
  mem: MemoryView,
  layout: MmLayout,
  percpu: PerCpu | undefined,
  mm: bigint,
  threads: bigint[],
): ProcessMemory {
  const totalVmPages = layout.totalVm === undefined ? 0 : s64(mem, mm + BigInt(layout.totalVm));
  // Like crash: each counter and each thread's cached delta counts only when positive.
  const counter = (i: number): number => {
    if (i < 0) return 0;
    let n = 0;
    if (layout.atomicCounts !== undefined) {
      n = s64(mem, mm + BigInt(layout.atomicCounts + 8 * i));
    } else if (layout.percpu) {
      // percpu_counter_sum(): the shared count plus every CPU's unsynced s32 delta.
      const fbc = mm + BigInt(layout.percpu.offset + layout.percpu.stride * i);
      n = s64(mem, fbc + BigInt(layout.percpu.count));
      const counters = mem.readU64(fbc + BigInt(layout.percpu.counters));
      if (counters && percpu) {
        for (const cpu of percpu.online) {
          const d = mem.readU32(percpu.address(counters, cpu));
          if (d !== undefined) n += d | 0;
        }
      }
    }
    n = Math.max(0, n);
    if (layout.taskCounts !== undefined) {
      for (const t of threads) {
        const d = mem.readU32(t + BigInt(layout.taskCounts + 4 * i));
        if (d !== undefined && (d | 0) > 0) n += d | 0;
      }
    }
    return n;
  };
  const filePages = counter(layout.counters.file);
  const anonPages = counter(layout.counters.anon);
  const shmemPages = counter(layout.counters.shmem);
  return {
    rssPages: filePages + anonPages + shmemPages,
    filePages,
    anonPages,
    shmemPages,
    totalVmPages: Math.max(0, totalVmPages),
  };
}

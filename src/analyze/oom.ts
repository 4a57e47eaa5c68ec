/**
 * Out of memory: for each OOM-killer report, who asked for memory, how much was left, where the
 * memory went (one task, all tasks, unreclaimable slab, shmem, a cgroup limit) and what the kernel
 * did about it (the task it killed, or the panic). Reads the facts the console source lifted out of
 * the report (`Report.oom`); x86 pages are 4 KiB.
 */

import type { Evidence, OomFacts } from '../model/index.js';
import type { OomCause, OomVerdict } from './results.js';
import type { Finding } from './types.js';
import { defineAnalyzer } from './types.js';

const PAGE_KB = 4;

export const oom = defineAnalyzer<OomVerdict[]>({
  meta: {
    id: 'oom',
    description: 'OOM-killer reports: the request, the memory left, where it went, what was killed',
    docs: 'https://docs.kernel.org/admin-guide/mm/concepts.html#oom-killer',
  },
  analyze(crash) {
    const verdicts: OomVerdict[] = [];
    const findings: Finding[] = [];
    crash.reports.forEach((report, index) => {
      if (!report.oom) return;
      const { cause, summary, gist } = judge(report.oom, crash.system.panic);
      verdicts.push({ report: index, cause, summary, facts: report.oom });
      const evidence: Evidence = {
        source: 'log',
        line: report.startLine,
        endLine: report.endLine,
        text: report.header.slice(0, 120),
      };
      findings.push({ id: `oom/${cause}`, severity: 'critical', message: gist, evidence: [evidence] });
    });
    return { result: verdicts, findings };
  },
});

const mib = (kb: number): string => {
  const m = kb / 1024;
  return `${m >= 100 ? m.toFixed(0) : m.toFixed(1)} MiB`;
};
const pagesMib = (pages: number): string => mib(pages * PAGE_KB);
const percent = (part: number, whole: number): string => `${Math.round((100 * part) / whole)}%`;

/** `gist`: the finding's one sentence (where the memory went, else the request). */
function judge(f: OomFacts, panic: string | undefined): { cause: OomCause; summary: string; gist: string } {
  const usable = f.ramPages !== undefined ? f.ramPages - (f.reservedPages ?? 0) : undefined;
  const sentences = [request(f, usable)];
  const { cause, sentence } = whereItWent(f, usable);
  if (sentence) sentences.push(sentence);
  sentences.push(outcome(f, panic));
  return { cause, summary: sentences.filter(Boolean).join(' '), gist: sentence ?? sentences[0]! };
}

function request(f: OomFacts, usable: number | undefined): string {
  const who = `${f.invoker.comm}${f.invoker.pid !== undefined ? ` (pid ${f.invoker.pid})` : ''}`;
  const flags = /\(([^)]*)\)/.exec(f.gfpMask ?? '')?.[1];
  if (f.order !== undefined && f.order < 0)
    return `Out of memory, forced: ${who} invoked the OOM killer without an allocation (order -1: SysRq-f, or a memory cgroup at its limit).`;
  const what =
    f.order !== undefined
      ? `an order-${f.order} allocation (${2 ** f.order} page${f.order ? 's' : ''}${flags ? `, ${flags}` : ''})`
      : 'memory';
  const free = f.pages.free;
  const left =
    free !== undefined
      ? ` with ${pagesMib(free)} free${usable ? ` of ${pagesMib(usable)} usable (${pagesMib(f.ramPages!)} RAM)` : ''}`
      : '';
  const swap =
    f.swapTotalKb === 0
      ? ', no swap'
      : f.swapTotalKb !== undefined && f.swapFreeKb !== undefined
        ? `, swap ${mib(f.swapFreeKb)} free of ${mib(f.swapTotalKb)}`
        : '';
  return `Out of memory: ${who} asked for ${what}${left}${swap}.`;
}

function whereItWent(f: OomFacts, usable: number | undefined): { cause: OomCause; sentence?: string } {
  if (f.constraint === 'CONSTRAINT_MEMCG' || f.memcg?.limitKb !== undefined) {
    const path = f.memcg?.path ? ` ${f.memcg.path}` : '';
    const limit =
      f.memcg?.limitKb !== undefined
        ? ` of ${mib(f.memcg.limitKb)}${f.memcg.usageKb !== undefined ? ` (usage ${mib(f.memcg.usageKb)})` : ''}`
        : '';
    return {
      cause: 'memcg-limit',
      sentence: `Not the machine: memory cgroup${path} hit its limit${limit}; raise the limit or find what grew in it.`,
    };
  }
  if (usable === undefined || usable <= 0) return { cause: 'unknown' };
  const top = f.topTasks[0];
  const slab = f.pages.slab_unreclaimable ?? 0;
  const shmem = f.pages.shmem ?? 0;
  const free = f.pages.free ?? 0;
  if (top && top.rss >= usable / 2) {
    return {
      cause: 'task',
      sentence: `The memory went to ${task(top)}: ${pagesMib(top.rss)} resident, ${percent(top.rss, usable)} of usable memory.`,
    };
  }
  if (slab > f.taskRssPages && slab >= usable / 4) {
    const caches = f.slabs.length
      ? ` Biggest caches: ${f.slabs
          .slice(0, 3)
          .map((s) => `${s.name} ${mib(s.usedKb)}`)
          .join(', ')}.`
      : '';
    return {
      cause: 'kernel-slab',
      sentence: `The kernel holds it: ${pagesMib(slab)} of unreclaimable slab (${percent(slab, usable)}), more than all tasks together (${pagesMib(f.taskRssPages)}) — a kernel memory leak is likely.${caches}`,
    };
  }
  if (shmem >= usable / 4) {
    return {
      cause: 'shmem',
      sentence: `Shared memory holds ${pagesMib(shmem)} (${percent(shmem, usable)}): tmpfs files or SysV/POSIX shm segments, which no kill frees.`,
    };
  }
  if (f.taskRssPages >= usable / 2) {
    return {
      cause: 'tasks',
      sentence: `Tasks together held ${pagesMib(f.taskRssPages)} (${percent(f.taskRssPages, usable)} of usable memory, ${f.taskCount} tasks); the biggest: ${f.topTasks
        .slice(0, 3)
        .map((t) => `${task(t)} ${pagesMib(t.rss)}`)
        .join(', ')}.`,
    };
  }
  if ((f.order ?? 0) >= 4 && free >= usable / 20) {
    return {
      cause: 'fragmentation',
      sentence: `${pagesMib(free)} was free, but not ${2 ** f.order!} contiguous pages: memory is fragmented.`,
    };
  }
  return { cause: 'unknown' };
}

function outcome(f: OomFacts, panic: string | undefined): string {
  if (f.killed) {
    const rss =
      f.killed.anonRssKb !== undefined
        ? `, which freed about ${mib(f.killed.anonRssKb + (f.killed.fileRssKb ?? 0) + (f.killed.shmemRssKb ?? 0))}`
        : '';
    return `The OOM killer killed ${task(f.killed)}${rss}.`;
  }
  const said = f.outcome ?? panic;
  if (said && /panic_on_oom/.test(said))
    return 'vm.panic_on_oom is set: the kernel panicked instead of killing a task.';
  if (said && /no killable processes/.test(said))
    return 'No task could be killed (all unkillable or oom_score_adj -1000): the kernel panicked.';
  return said ? `Then: ${said}.` : '';
}

const task = (t: { pid: number; comm: string }): string => `${t.comm} (pid ${t.pid})`;

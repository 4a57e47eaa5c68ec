/**
 * WARN_ON() reports: where the warning fired, what the well-known warning sites mean (data, one row
 * per source file), and whether panic_on_warn turned it into the crash. A WARN is the kernel saying
 * "this should not happen" and going on; the fix is usually at the caller that broke the assumption.
 */

import type { CrashKind, Report } from '../model/index.js';
import { classify } from './classify/index.js';
import { judgeReports } from './report-verdicts.js';
import type { WarningVerdict } from './results.js';
import { defineAnalyzer } from './types.js';

/** Well-known WARN sites (mainline paths), and what a warning there says. */
const SITES: [RegExp, string][] = [
  [
    /^lib\/refcount\.c:/,
    'a refcount_t was misused — incremented from 0, decremented below 0 or saturated: an object used after its last reference was dropped (use-after-free) or a reference dropped twice',
  ],
  [
    /^lib\/list_debug\.c:/,
    'a linked list is corrupted (CONFIG_DEBUG_LIST): an entry added twice, deleted twice, or its neighbours overwritten',
  ],
  [
    /^kernel\/locking\/lockdep\.c:/,
    'lockdep found its own bookkeeping inconsistent (a lock used without being initialised, held-lock corruption, or its limits reached)',
  ],
  [
    /^lib\/debugobjects\.c:/,
    'debugobjects caught an object (timer, work item, RCU head) freed, re-initialised or activated in the wrong state',
  ],
  [
    /^net\/sched\/sch_generic\.c:/,
    'NETDEV WATCHDOG: a network device stopped completing transmissions (a transmit queue timed out): the NIC driver, its firmware or the hardware hung',
  ],
  [
    /^mm\/page_alloc\.c:/,
    'the page allocator was asked for something it refuses (an order above MAX_ORDER, __GFP_NOFAIL where it cannot be honoured)',
  ],
  [
    /^mm\/(slab_common|slub|slab)\.c:/,
    'the slab allocator caught a misuse (a cache created or destroyed wrongly, a size it refuses, objects left in a cache being destroyed)',
  ],
  [
    /^mm\/(vmalloc|util)\.c:/,
    'a vmalloc/kvmalloc request the allocator refuses (too large, or flags it does not support)',
  ],
  [
    /^kernel\/sched\/core\.c:/,
    'the scheduler caught a context error (sleeping with preemption or interrupts disabled, a bad task state)',
  ],
  [/^arch\/x86\/kernel\/irq_64\.c:/, 'an interrupt stack overflow check fired'],
  [
    /^kernel\/rcu\//,
    'RCU caught a misuse (a callback queued twice, RCU used from an offline CPU or with the wrong context)',
  ],
  [
    /^fs\/sysfs\/|^lib\/kobject/,
    'a sysfs/kobject name or group was registered twice or removed while still in use',
  ],
];

const WARNING_KINDS = new Set<CrashKind>(['warning', 'refcount']);

export const warning = defineAnalyzer<WarningVerdict[]>({
  meta: {
    id: 'warning',
    description: 'WARN_ON reports: the source line, what the site means, panic_on_warn',
    docs: 'https://docs.kernel.org/admin-guide/tainted-kernels.html',
  },
  analyze(crash, context) {
    return judgeReports(
      crash.reports,
      context.get(classify).reports,
      { analyzer: 'warning', kinds: WARNING_KINDS, severity: 'warning' },
      (report, index) =>
        report.bugAt ? { verdict: judge(report, index, crash.system.panic), id: 'site' } : undefined,
    );
  },
});

function judge(report: Report, index: number, panic: string | undefined): WarningVerdict {
  const at = report.bugAt!;
  const fn = report.ripFunction;
  const who = report.pid !== undefined ? ` (pid ${report.pid}${report.comm ? ` "${report.comm}"` : ''})` : '';
  const meaning = SITES.find(([site]) => site.test(at))?.[1];
  const panicked = panic !== undefined && /panic_on_warn/.test(panic);
  const parts = [
    `A WARN_ON() fired at ${at}${fn ? ` in ${fn}` : ''}${who}: the code met a condition it treats as a bug, and went on.`,
  ];
  if (meaning) parts.push(`Here that means ${meaning}.`);
  if (panicked) parts.push('panic_on_warn is set, so this warning is what brought the machine down.');
  // The frame after the warning's own function is the caller whose assumption broke.
  const frames = report.stack?.frames.filter((f) => f.reliable && f.fn) ?? [];
  const own = fn ? frames.findIndex((f) => f.fn === fn) : -1;
  const caller = own >= 0 ? frames[own + 1]?.fn : undefined;
  if (caller) parts.push(`It was called from ${caller}: look there for the broken assumption.`);
  const v: WarningVerdict = { report: index, at, summary: parts.join(' '), panicOnWarn: panicked };
  if (fn) v.function = fn;
  if (meaning) v.meaning = meaning;
  return v;
}

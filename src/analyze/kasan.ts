/**
 * KASAN reports told as a memory-safety bug: the access (read/write, size, address, where), the
 * object it hit (cache, size, how far inside or past it), and who allocated and who freed it —
 * the first frames of those stacks past the allocator's own, which is where a developer looks.
 */

import type { CrashKind, Report, Stack } from '../model/index.js';
import { classify } from './classify/index.js';
import { skipPattern, skipped, titleFunction } from './classify/title.js';
import { judgeReports } from './report-verdicts.js';
import type { KasanVerdict } from './results.js';
import { defineAnalyzer } from './types.js';

/** The allocator, RCU and KASAN plumbing at the top of "Allocated by" / "Freed by" stacks. */
const ALLOCATOR_FRAMES = [
  '^save_stack',
  'set_track',
  'stack_trace_save',
  'stack_depot',
  'kmalloc',
  'kmem_cache',
  'kzalloc',
  'kcalloc',
  'krealloc',
  'kvmalloc',
  'kvzalloc',
  'kmemdup',
  'kstrdup',
  'kfree',
  'kzfree',
  'kvfree',
  'slab_',
  'cache_free',
  'cache_alloc',
  'qlist',
  'quarantine',
  'alloc_pages',
  'free_pages',
  'rcu_do_batch',
  'rcu_core',
  'rcu_process_callbacks',
  '__do_softirq',
  'kobject_put',
];
const PATH_LENGTH = 3;
const KASAN_KINDS = new Set<CrashKind>(['kasan']);

export const kasan = defineAnalyzer<KasanVerdict[]>({
  meta: {
    id: 'kasan',
    description: 'KASAN reports: the access, the object it hit, who allocated and who freed it',
    docs: 'https://docs.kernel.org/dev-tools/kasan.html',
  },
  analyze(crash, context) {
    return judgeReports(
      crash.reports,
      context.get(classify).reports,
      { analyzer: 'kasan', kinds: KASAN_KINDS, severity: 'critical' },
      (report, index, title) => {
        const verdict = judge(report, index, title);
        return verdict ? { verdict, id: verdict.bug.replace(/\W+/g, '-') } : undefined;
      },
    );
  },
});

/** `title`: the classified title, whose last function skips the reporting and lockdep plumbing. */
function judge(report: Report, index: number, title: string | undefined): KasanVerdict | undefined {
  // The bug type is in the matched row's template (`KASAN: invalid-free in {2}`) or its first
  // captured argument (`KASAN: {1} {3} in {4}` with `use-after-free`).
  const word = /^KASAN: ([a-z][a-z-]*) /.exec(report.match?.template ?? '')?.[1];
  const bug = word ?? /^[a-z][a-z-]*(?=\s|$)/.exec(report.match?.args[0] ?? '')?.[0];
  if (!bug) return undefined;
  const v: KasanVerdict = { report: index, bug, summary: '' };
  const allocated = report.otherStacks?.find((o) => /^Allocated by/i.test(o.label));
  const freed = report.otherStacks?.find((o) => /^Freed by/i.test(o.label));
  if (allocated) v.allocatedIn = callerPath(allocated.stack);
  if (freed) v.freedIn = callerPath(freed.stack);
  const where = titleFunction(title) ?? report.ripFunction;
  const access = report.access
    ? `a ${report.access.kind}${report.access.size !== undefined ? ` of ${report.access.size} byte${report.access.size === 1 ? '' : 's'}` : ''}`
    : 'an access';
  const at = report.faultAddress !== undefined ? ` at ${report.faultAddress.toString(16)}` : '';
  const who =
    report.pid !== undefined ? ` by pid ${report.pid}${report.comm ? ` "${report.comm}"` : ''}` : '';
  const parts = [`${describeBug(bug)}: ${access}${at}${where ? ` in ${where}` : ''}${who}`];
  const o = report.kasanObject;
  if (o) {
    const size = `${o.size !== undefined ? `${o.size}-byte ` : ''}object${o.cache ? ` (cache ${o.cache})` : ''}`;
    const spot =
      o.relation === 'inside'
        ? `${o.distance} bytes inside a ${size}`
        : o.relation === 'right'
          ? `${o.distance} bytes past the end of a ${size}`
          : o.relation === 'left'
            ? `${o.distance} bytes before a ${size}`
            : `near a ${size}`;
    parts[0] += `, ${spot} at ${o.address.toString(16)}`;
  }
  const life = [
    v.allocatedIn?.length ? `allocated in ${v.allocatedIn.join(' ← ')}` : undefined,
    v.freedIn?.length ? `freed in ${v.freedIn.join(' ← ')}` : undefined,
  ].filter(Boolean);
  if (life.length) parts.push(`${capitalise(life.join('; '))}.`);
  const advice = adviceFor(bug, report.kasanObject?.relation);
  if (advice) parts.push(advice);
  v.summary = `${parts[0]}.${parts.length > 1 ? ` ${parts.slice(1).join(' ')}` : ''}`;
  return v;
}

/** The first frames of an allocation/free stack past the allocator's own. */
function callerPath(stack: Stack): string[] {
  const skip = skipPattern(ALLOCATOR_FRAMES);
  return stack.frames
    .filter((f) => f.reliable && f.fn !== undefined && !skipped(skip, f.fn))
    .slice(0, PATH_LENGTH)
    .map((f) => f.fn!);
}

function describeBug(bug: string): string {
  const names: Record<string, string> = {
    'use-after-free': 'Use after free',
    'slab-use-after-free': 'Use after free (slab object)',
    'slab-out-of-bounds': 'Out-of-bounds access to a slab object',
    'global-out-of-bounds': 'Out-of-bounds access to a global variable',
    'stack-out-of-bounds': 'Out-of-bounds access to a stack variable',
    'vmalloc-out-of-bounds': 'Out-of-bounds access to vmalloc memory',
    'double-free': 'Double free',
    'invalid-free': 'Invalid free',
    'null-ptr-deref': 'NULL pointer dereference',
    'wild-memory-access': 'Access through a wild pointer',
    'user-memory-access': 'Kernel access to a user address',
  };
  return names[bug] ?? `KASAN ${bug}`;
}

function adviceFor(bug: string, relation: string | undefined): string | undefined {
  if (bug.includes('use-after-free'))
    return 'Something kept a pointer to the object past its free: the reference the accessing path holds is not counted, or the free does not wait for its users (refcount, RCU, lock).';
  if (bug.includes('out-of-bounds') && relation === 'right')
    return 'An index or length runs past the end of the object: an off-by-N or an unchecked size from the caller.';
  if (bug === 'double-free' || bug === 'invalid-free')
    return 'Two paths own the object, or the pointer freed was never returned by the allocator.';
  return undefined;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

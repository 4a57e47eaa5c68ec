/**
 * Decoded raw values, each with the kernel table it was read with: page flags (the lock's page
 * first, with kmem-style names), the compound destructor (THP or hugetlbfs), thread_info flags,
 * the RFLAGS of CPUs stopped with interrupts off, and the taint letters.
 */

import {
  decodeRflags,
  decodeTaint,
  decodeTaskState,
  decodeThreadFlags,
  parseRelease,
} from '../kernel/flags/index.js';
import { decodePageFlags } from '../kernel/mm/index.js';
import type { Crash, Evidence } from '../model/index.js';
import { hex, owner, stacksOf } from './frames.js';
import { irqState } from './irq.js';
import { taskOf, threadFlags } from './lock-holder.js';
import { locks } from './locks.js';
import { compoundOf, pageLayout } from './pages.js';
import type { DecodedValue, LockFinding } from './results.js';
import { defineAnalyzer, type Finding } from './types.js';

export const decoders = defineAnalyzer<DecodedValue[]>({
  meta: {
    id: 'decode',
    description:
      'Page flags, compound destructor, thread_info flags, RFLAGS and taint decoded with per-version tables',
  },
  analyze(crash, context) {
    const out: DecodedValue[] = [];
    const findings: Finding[] = [];
    const lockPages = new Set(
      context
        .get(locks)
        .locks.map((l) => l.address)
        .filter((a) => a !== undefined),
    );
    pages(crash, lockPages, out, findings);
    const found = context.get(locks).locks;
    // Thread flags of the tasks the diagnosis names (a dump has them for every task).
    const named = new Set<number>(
      found
        .flatMap((l) => [
          l.holder?.pid,
          ...l.waiters.map((w) => w.pid),
          ...(l.candidates ?? []).map((c) => c.pid),
        ])
        .filter((p): p is number => p !== undefined),
    );
    if (crash.system.panicPid !== undefined) named.add(crash.system.panicPid);
    threads(crash, out, named);
    states(crash, found, out);
    const seenRflags = new Set<string>();
    for (const s of context.get(irqState)) {
      if (!s.disabled || s.rflags === undefined || s.by?.fn === 'panic') continue;
      const raw = s.rflags.toString(16).padStart(8, '0');
      if (seenRflags.has(raw)) continue;
      seenRflags.add(raw);
      const d = decodeRflags(s.rflags);
      out.push({
        subject: `RFLAGS of ${owner(stacksOf(crash)[s.stack]!)}`,
        raw,
        names: [
          ...d.names,
          d.interruptsEnabled ? 'IF set: interrupts enabled' : 'IF clear: interrupts disabled',
        ],
        table: 'rflags x86',
        evidence: s.evidence.slice(0, 1),
      });
    }
    const taint = crash.system.taint ?? crash.reports.find((r) => r.taint)?.taint;
    if (taint?.trim()) {
      const d = decodeTaint(taint);
      if (d.letters)
        out.push({
          subject: 'kernel taint',
          raw: taint.trim(),
          names: d.names,
          table: 'taint (kernel/panic.c)',
          evidence: [],
        });
    }
    return { result: out, findings };
  },
});

function pages(
  crash: Crash,
  lockPages: Set<bigint | undefined>,
  out: DecodedValue[],
  findings: Finding[],
): void {
  const choice = pageLayout(crash);
  const ordered = [...crash.pages].sort(
    (a, b) =>
      Number(lockPages.has(b.address)) - Number(lockPages.has(a.address)) ||
      Number(b.head === undefined) - Number(a.head === undefined),
  );
  for (const page of ordered) {
    if (page.flags === undefined) continue;
    const evidence: Evidence[] = (page.evidence ?? []).slice(0, 2);
    const role = lockPages.has(page.address)
      ? ' (the contended lock’s page)'
      : page.head !== undefined && page.head !== page.address
        ? ` (tail of ${hex(page.head)})`
        : '';
    const subject = `page ${hex(page.address)} flags${role}`;
    const raw = page.flags.toString(16);
    if (choice) {
      const ours = decodePageFlags(page.flags, choice.layout).names;
      out.push({ subject, raw, names: ours, table: choice.layout.id, evidence });
      if (page.flagNames?.length && page.flagNames.join(',') !== ours.join(',')) {
        findings.push({
          id: 'decode/page-flags-mismatch',
          severity: 'info',
          message: `crash printed ${page.flagNames.join(',')} for page ${hex(page.address)}, the ${choice.layout.id} table gives ${ours.join(',')}`,
          evidence,
        });
      }
    } else if (page.flagNames?.length) {
      out.push({ subject, raw, names: page.flagNames, table: 'as crash kmem printed them', evidence });
    }
    const compound = compoundOf(crash, page.address);
    if (compound.dtor) {
      const names =
        compound.kind === 'thp'
          ? ['transparent huge page (THP), not hugetlbfs: the destructor is not free_huge_page']
          : compound.kind === 'hugetlbfs'
            ? ['hugetlbfs page (free_huge_page)']
            : compound.kind === 'other-compound'
              ? [
                  `compound page, neither THP nor hugetlbfs (destructor ${compound.dtor}${compound.dtor === 'free_compound_page' ? '; THPs have their own since v4.5' : ''})`,
                ]
              : [`compound page with destructor ${compound.dtor}`];
      out.push({
        subject: `compound destructor of head page ${hex(page.address)} (page[1].lru.next)`,
        raw: compound.dtor,
        names,
        table: 'compound-dtor',
        evidence: compound.evidence.slice(0, 1),
      });
    }
  }
}

function threads(crash: Crash, out: DecodedValue[], named: Set<number>): void {
  const version = parseRelease(crash.system.release);
  const seen = new Set<string>();
  stacksOf(crash).forEach((stack) => {
    const task = taskOf(crash, stack);
    const pid = task?.pid ?? stack.pid;
    if (pid === undefined || !named.has(pid)) return;
    const flags = threadFlags(crash, stack, task);
    if (!flags) return;
    const key = `${task?.pid ?? stack.pid}|${flags.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    const decoded = decodeThreadFlags(flags.value, version);
    out.push({
      subject: `thread_info.flags of ${owner(stack)}`,
      raw: `0x${flags.value.toString(16)}`,
      names: decoded
        ? [...decoded.names, ...(decoded.unknown ? [`unknown bits 0x${decoded.unknown.toString(16)}`] : [])]
        : [],
      table: decoded?.table.id ?? 'no TIF table for this kernel version',
      evidence: flags.evidence ? [flags.evidence] : [],
    });
  });
}

/** The state word of every task a lock names (holder, waiters), when the input has the raw bits. */
function states(crash: Crash, found: LockFinding[], out: DecodedValue[]): void {
  const version = parseRelease(crash.system.release);
  const seen = new Set<number>();
  for (const party of found.flatMap((l) => [...(l.holder ? [l.holder] : []), ...l.waiters])) {
    const task = crash.tasks.find(
      (t) =>
        (party.task !== undefined && t.task === party.task) ||
        (party.pid !== undefined && party.pid !== 0 && t.pid === party.pid),
    );
    if (!task || task.stateBits === undefined || seen.has(task.pid)) continue;
    seen.add(task.pid);
    const d = decodeTaskState(task.stateBits, version, task.exitState ?? 0);
    if (!d) continue;
    out.push({
      subject: `task state of pid ${task.pid}${task.comm ? ` "${task.comm}"` : ''}`,
      raw: `0x${task.stateBits.toString(16)}`,
      names: [...d.names, `${d.letter} (ps), ${d.crash} (crash)`],
      table: d.table.id,
      evidence: (task.evidence ?? []).slice(0, 1),
    });
  }
}

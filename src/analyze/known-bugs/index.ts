/**
 * Known-bug matcher: every entry of bugs.ts whose signature this crash shows (kernel version or
 * RHEL major, crash kind, functions in its stacks, conditions computed by the other analyzers).
 */

import { inRange, type KernelVersion, parseRelease } from '../../kernel/flags/version.js';
import type { Crash } from '../../model/index.js';
import { classify } from '../classify/index.js';
import { allFunctions, baseName, contextFunctions, stacksOf } from '../frames.js';
import { irqState } from '../irq.js';
import { locks } from '../locks.js';
import type { Confidence, KnownIssue } from '../results.js';
import { spin } from '../spin.js';
import type { AnalysisContext } from '../types.js';
import { defineAnalyzer, type Finding } from '../types.js';
import { KNOWN_BUGS } from './bugs.js';
import type { KnownBug, KnownBugCondition } from './types.js';

export { KNOWN_BUGS } from './bugs.js';
export type { KnownBug } from './types.js';

export const knownBugs = defineAnalyzer<KnownIssue[]>({
  meta: {
    id: 'known-bugs',
    description: 'Matches the crash against known kernel bugs (signature → upstream fix, errata, workaround)',
  },
  analyze(crash, context) {
    const facts = collect(crash, context);
    let issues = KNOWN_BUGS.map((bug) => match(bug, facts)).filter((i): i is KnownIssue => i !== undefined);
    // A guess from conditions alone (no function matched) is noise next to a signature that matched.
    if (issues.some((i) => i.confidence !== 'low')) issues = issues.filter((i) => i.confidence !== 'low');
    const order: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };
    issues.sort((a, b) => order[a.confidence] - order[b.confidence]);
    const findings: Finding[] = issues.map((i) => ({
      id: `known-bugs/${i.id}`,
      severity: i.confidence === 'low' ? 'info' : 'warning',
      message: `Matches known bug: ${i.title}${i.fix ? ` — fixed by ${i.fix.commit.slice(0, 12)} ("${i.fix.subject}")` : ''} (${i.confidence})`,
      evidence: [],
    }));
    return { result: issues, findings };
  },
});

interface Facts {
  version?: KernelVersion;
  kind: string;
  functions: Set<string>;
  spinningIn: Set<string>;
  conditions: Set<KnownBugCondition>;
}

function collect(crash: Crash, context: AnalysisContext): Facts {
  const functions = new Set<string>();
  const add = (fns: string[]) => {
    for (const f of fns) functions.add(f);
  };
  for (const s of stacksOf(crash)) add(allFunctions(s));
  for (const r of crash.reports) {
    if (r.stack) add(allFunctions(r.stack));
    for (const o of r.otherStacks ?? []) add(allFunctions(o.stack));
    const rip = baseName(r.ripFunction);
    if (rip) functions.add(rip);
  }
  const spinners = context.get(spin).spinners;
  const spinningIn = new Set<string>();
  for (const s of spinners) for (const f of allFunctions(stacksOf(crash)[s.stack]!)) spinningIn.add(f);
  const kind = context.get(classify).kind;
  if (kind === 'hard-lockup' || kind === 'soft-lockup') {
    // The CPU a lockup watchdog caught is stuck where it was, even when no loop is visible.
    const cpu = crash.system.panicCpu;
    const stuck = stacksOf(crash).find((s) => s.cpu !== undefined && s.cpu === cpu && !s.partial);
    if (stuck) for (const f of contextFunctions(stuck)) spinningIn.add(f);
  }
  const conditions = new Set<KnownBugCondition>();
  if (spinningIn.size) conditions.add('spinning-in-functions');
  if (context.get(irqState).some((s) => s.disabled)) conditions.add('interrupts-disabled');
  if ((crash.system.uptimeSeconds ?? 0) > 208.5 * 86400) conditions.add('uptime-over-208-days');
  if (crash.reports.some((r) => (r.stuckSeconds ?? 0) > 365 * 86400)) conditions.add('absurd-stuck-time');
  if (spinners.length === 0 && context.get(locks).locks.length === 0) conditions.add('no-lock-contention');
  const version = parseRelease(crash.system.release ?? crash.reports.find((r) => r.release)?.release);
  const facts: Facts = { kind, functions, spinningIn, conditions };
  if (version) facts.version = version;
  return facts;
}

function match(bug: KnownBug, f: Facts): KnownIssue | undefined {
  const sig = bug.signature;
  const matched: string[] = [];
  let weak = false;
  // Version: RHEL majors by their tag, upstream by range.
  const v = f.version;
  if (v?.rhel !== undefined && sig.rhel) {
    const entry = sig.rhel.find((r) => r.major === v.rhel);
    if (!entry) return undefined;
    if (entry.fixedIn && compareRpm(v.release, entry.fixedIn) >= 0) return undefined;
    matched.push(`RHEL ${v.rhel} kernel ${v.release}${entry.fixedIn ? ` (fixed in ${entry.fixedIn})` : ''}`);
  } else if (v && sig.versions) {
    if (!inRange(v, sig.versions)) return undefined;
    const range = `${sig.versions.from ? `≥ ${sig.versions.from}` : ''}${sig.versions.from && sig.versions.to ? ', ' : ''}${sig.versions.to ? `< ${sig.versions.to}` : ''}`;
    matched.push(
      `kernel ${v.release} in the affected range (${range})${v.rhel ? '; distribution kernels may carry the fix as a backport' : ''}`,
    );
  } else if (v && sig.rhel && !sig.versions) {
    return undefined;
  } else {
    weak = true;
    matched.push('kernel version unknown');
  }
  // A bug of some crash kind is no match for a log without a crash; an undetermined kind (a
  // partial transcript) lets a signature with functions match, never conditions alone.
  const kindUnknown = sig.kinds !== undefined && f.kind === 'unknown';
  if (sig.kinds && f.kind === 'none') return undefined;
  if (sig.kinds && !kindUnknown) {
    if (!sig.kinds.includes(f.kind as never)) return undefined;
    matched.push(`crash kind ${f.kind}`);
  }
  const all = sig.allFunctions ?? [];
  if (!all.every((fn) => f.functions.has(fn))) return undefined;
  const any = sig.anyFunctions ?? [];
  const anyHit = any.filter((fn) => f.functions.has(fn));
  if (any.length && anyHit.length === 0) return undefined;
  const fns = [...new Set([...all, ...anyHit])];
  if (fns.length) matched.push(`${fns.join(', ')} in the stacks`);
  for (const c of sig.conditions ?? []) {
    if (c === 'spinning-in-functions') {
      const spinFns = fns.filter((fn) => f.spinningIn.has(fn));
      if (fns.length && spinFns.length === 0) return undefined;
      if (!f.conditions.has(c)) return undefined;
      matched.push(`a stuck CPU is in ${spinFns.join(', ') || 'a lock loop'}`);
    } else {
      if (!f.conditions.has(c)) return undefined;
      matched.push(CONDITION_TEXT[c]);
    }
  }
  if (kindUnknown && fns.length === 0) return undefined;
  // A distribution's own bug on a kernel of unknown origin: its functions exist upstream too.
  const distroOnly = sig.rhel !== undefined && sig.versions === undefined;
  const confidence: Confidence =
    fns.length === 0 || (weak && distroOnly) ? 'low' : weak || all.length === 0 ? 'medium' : 'high';
  const issue: KnownIssue = { id: bug.id, title: bug.title, matched, confidence, references: bug.references };
  if (bug.fix) issue.fix = bug.fix;
  if (bug.errata) issue.errata = bug.errata;
  if (bug.workaround) issue.workaround = bug.workaround;
  return issue;
}

const CONDITION_TEXT: Record<KnownBugCondition, string> = {
  'spinning-in-functions': 'CPUs spin',
  'interrupts-disabled': 'interrupts were disabled',
  'uptime-over-208-days': 'uptime over 208.5 days',
  'absurd-stuck-time': 'a lockup report gives an impossible stuck time',
  'no-lock-contention': 'no lock contention was found (nothing visibly stuck)',
};

/** `3.10.0-327.22.2.el7.x86_64` vs `3.10.0-957.12.1.el7`: numeric fields in order. */
export function compareRpm(a: string, b: string): number {
  const nums = (s: string) => (s.replace(/\.el\d.*$/, '').match(/\d+/g) ?? []).map(Number);
  const x = nums(a);
  const y = nums(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

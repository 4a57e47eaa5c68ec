/**
 * classify: the headline of a crash — kind, a syzkaller-style title, alternative titles, the
 * culprit function with the reason it was chosen, and the panic facts.
 *
 * The headline is the first real report in the log (later ones are usually its aftermath: the
 * panic after panic_on_warn, the lockdep splat the oops itself caused). Without any report — a crash
 * transcript, a dump without a useful log — the panic string and the panic task's stack decide.
 */

import type { Crash, Evidence, Report } from '../../model/index.js';
import type { Classification } from '../results.js';
import { defineAnalyzer, type Finding } from '../types.js';
import { culpritOf, interruptedFrames, panicFacts, stuckStack } from './culprit.js';
import { GENERIC_PANIC_RULES, kindOfPanicMessage } from './kinds.js';
import { classifyFromPanic } from './panic-only.js';
import { buildTitle, fill, normaliseTitle, pickFrame, skipPattern } from './title.js';

export interface ReportTitle {
  kind: Report['kind'];
  title: string;
  altTitles: string[];
  corrupted: boolean;
  corruptedReason?: string;
  /** The frame the title names, as printed. */
  frame?: string;
}

/** A stamp merged into a title means two lines were glued together. */
const STAMP_IN_TITLE = /\[ *[0-9]+\.[0-9]+\]/;

/** Title, kind and damage of one report. Pure: reads only the report's structured match. */
export function titleOfReport(report: Report, withAlts = true): ReportTitle {
  const match = report.match;
  if (!match) {
    return {
      kind: 'unknown',
      title: report.header.trim(),
      altTitles: [],
      corrupted: true,
      corruptedReason: 'no match',
    };
  }
  const built = buildTitle(match, withAlts);
  let kind = match.kindHint;
  if (GENERIC_PANIC_RULES.has(match.rule)) kind = kindOfPanicMessage(match.args[0] ?? '');
  let reason: string | undefined;
  if (match.partial) reason = 'matched title but not report regexp';
  else if (built.damage) reason = built.damage;
  else if (match.rowCorrupted) reason = 'report format is marked as corrupted';
  else if (STAMP_IN_TITLE.test(built.rawTitle)) reason = 'title matches corrupted regexp';
  else if (match.textDamage) reason = match.textDamage;
  const out: ReportTitle = {
    kind,
    title: built.title,
    altTitles: built.altTitles,
    corrupted: reason !== undefined,
  };
  if (reason) out.corruptedReason = reason;
  if (built.frame) out.frame = built.frame.raw;
  return out;
}

/**
 * An RCU stall detected from another CPU names no frame of its own when the stalled CPUs' stacks
 * come as NMI backtraces (production kernels, no timer-interrupt trace in the report): name the
 * first stalled CPU's backtrace by the same stall rule.
 */
function stallFromBacktraces(crash: Crash, report: Report, t: ReportTitle): ReportTitle {
  const match = report.match;
  if (!match || t.kind !== 'rcu-stall' || t.corruptedReason !== 'extracted no frames') return t;
  const stack = stuckStack(crash, report);
  if (!stack || (stack === report.stack && !report.header.includes('self-detected'))) return t;
  const names = interruptedFrames(stack).flatMap((f) => (f.fn ? [f.fn.split('.')[0]!] : []));
  const picked = pickFrame(names, skipPattern(match.skip), 'stall');
  if (!picked) return t;
  const title = normaliseTitle(fill(match.template, [...match.args, picked.name]));
  const altTitles = match.altTemplates.map((a) => normaliseTitle(fill(a, [...match.args, picked.name])));
  return { ...t, title, altTitles, corrupted: false, corruptedReason: undefined, frame: picked.raw };
}

export interface ClassifyResult extends Classification {
  /** Title of every report, in `crash.reports` order. */
  reports: ReportTitle[];
}

export const classify = defineAnalyzer<ClassifyResult>({
  meta: {
    id: 'classify',
    description: 'Names the crash: kind, syzkaller-style title, culprit function and why.',
    docs: 'https://github.com/google/syzkaller/blob/master/pkg/report/linux.go',
  },
  analyze(crash: Crash) {
    const headline = crash.reports.findIndex((r) => !r.informational);
    // Alternative titles only for the headline: they cost most of the title work.
    const titles = crash.reports.map((r, i) => titleOfReport(r, i === headline));
    const findings: Finding[] = [];
    if (headline < 0) {
      const fromPanic = classifyFromPanic(crash);
      return { result: { ...fromPanic, reports: titles }, findings };
    }
    const report = crash.reports[headline]!;
    const t = stallFromBacktraces(crash, report, titles[headline]!);
    titles[headline] = t;
    const result: ClassifyResult = {
      kind: t.kind ?? 'unknown',
      title: t.title,
      altTitles: t.altTitles,
      report: headline,
      corrupted: t.corrupted,
      reports: titles,
    };
    if (t.corruptedReason) result.corruptedReason = t.corruptedReason;
    const culprit = culpritOf(crash, report, t);
    if (culprit) result.culprit = culprit;
    const panic = panicFacts(crash, report);
    if (panic) result.panic = panic;
    const evidence: Evidence[] = [
      { source: 'log', line: report.startLine, endLine: report.endLine, text: report.header.trim() },
    ];
    findings.push({
      id: 'classify/headline',
      severity: t.kind === 'warning' ? 'warning' : 'critical',
      message: `${t.title}${t.corrupted ? ' (report damaged: ' + t.corruptedReason + ')' : ''}`,
      evidence,
    });
    return { result, findings };
  },
});

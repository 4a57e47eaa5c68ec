/**
 * The loop the per-report analyzers share (oops, KASAN, WARN): every report of the given kinds,
 * as the classifier named them, judged at most `max` times, each verdict a finding with the
 * report's first line as evidence.
 */

import type { CrashKind, Report } from '../model/index.js';
import type { ClassifyResult } from './classify/index.js';
import type { Finding, Severity } from './types.js';

export interface ReportVerdict {
  summary: string;
}

export interface Judged<V> {
  verdict: V;
  /** The finding's id suffix: `fault/<id>`. */
  id: string;
}

export function judgeReports<V extends ReportVerdict>(
  reports: Report[],
  classified: ClassifyResult['reports'],
  options: { analyzer: string; kinds: ReadonlySet<CrashKind>; severity: Severity; max?: number },
  judge: (
    report: Report & { kind: CrashKind },
    index: number,
    title: string | undefined,
  ) => Judged<V> | undefined,
): { result: V[]; findings: Finding[] } {
  const result: V[] = [];
  const findings: Finding[] = [];
  const max = options.max ?? 4;
  reports.forEach((report, index) => {
    const kind = classified[index]?.kind ?? report.kind;
    if (!kind || !options.kinds.has(kind) || result.length >= max) return;
    const judged = judge({ ...report, kind }, index, classified[index]?.title);
    if (!judged) return;
    result.push(judged.verdict);
    findings.push({
      id: `${options.analyzer}/${judged.id}`,
      severity: options.severity,
      message: judged.verdict.summary,
      evidence: [{ source: 'log', line: report.startLine, text: report.header.slice(0, 120) }],
    });
  });
  return { result, findings };
}

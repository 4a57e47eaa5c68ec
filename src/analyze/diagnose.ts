/**
 * diagnose: every analyzer over one crash, composed into the Diagnosis the reports render.
 * Analyzers share one AnalysisRun, so a result several of them need is computed once.
 */

import type { Crash } from '../model/index.js';
import { classify } from './classify/index.js';
import { AnalysisRun } from './engine.js';
import type { Diagnosis } from './results.js';

export function diagnose(crash: Crash): Diagnosis {
  const run = new AnalysisRun(crash);
  const { reports, ...classification } = run.get(classify);
  return {
    classification,
    reports: reports.map((r) => ({ kind: r.kind ?? 'unknown', title: r.title, corrupted: r.corrupted })),
    stackGroups: [],
    spinners: [],
    locks: [],
    cycles: [],
    decoded: [],
    knownIssues: [],
    nextSteps: [],
    findings: run.findings(),
  };
}

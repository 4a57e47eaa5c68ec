/**
 * The shape every analyzer shares (ESLint-rule style): `meta` plus one pure function of the model.
 * An analyzer may read another analyzer's result through the context (computed once, cached),
 * never by re-parsing anything. It returns its typed result and findings with evidence.
 */

import type { Crash, Evidence } from '../model/index.js';

export type Severity = 'info' | 'warning' | 'critical';

export interface Finding {
  /** Stable id `analyzer/what`, e.g. `spin/bit-spin-lock`, `irq/disabled`. */
  id: string;
  severity: Severity;
  /** One sentence a human reads. */
  message: string;
  evidence: Evidence[];
}

export interface AnalyzerMeta {
  /** Short stable id, also the prefix of its findings' ids. */
  id: string;
  description: string;
  /** Where a reader learns more (kernel doc, commit, crash manual page). */
  docs?: string;
}

export interface AnalyzerOutput<R> {
  result: R;
  findings: Finding[];
}

export interface AnalysisContext {
  /** Result of another analyzer on the same crash, computed at most once. */
  get<R>(analyzer: Analyzer<R>): R;
}

export interface Analyzer<R> {
  meta: AnalyzerMeta;
  analyze(crash: Crash, context: AnalysisContext): AnalyzerOutput<R>;
}

export function defineAnalyzer<R>(analyzer: Analyzer<R>): Analyzer<R> {
  return analyzer;
}

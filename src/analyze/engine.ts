/** Runs analyzers over one crash with a per-crash cache, so dependencies are computed once. */

import type { Crash } from '../model/index.js';
import type { AnalysisContext, Analyzer, AnalyzerOutput, Finding } from './types.js';

export class AnalysisRun implements AnalysisContext {
  private readonly outputs = new Map<Analyzer<unknown>, AnalyzerOutput<unknown>>();
  private readonly running = new Set<Analyzer<unknown>>();

  constructor(readonly crash: Crash) {}

  get<R>(analyzer: Analyzer<R>): R {
    return this.output(analyzer).result;
  }

  output<R>(analyzer: Analyzer<R>): AnalyzerOutput<R> {
    const cached = this.outputs.get(analyzer as Analyzer<unknown>);
    if (cached) return cached as AnalyzerOutput<R>;
    if (this.running.has(analyzer as Analyzer<unknown>)) {
      throw new Error(`analyzer dependency cycle at ${analyzer.meta.id}`);
    }
    this.running.add(analyzer as Analyzer<unknown>);
    try {
      const out = analyzer.analyze(this.crash, this);
      this.outputs.set(analyzer as Analyzer<unknown>, out as AnalyzerOutput<unknown>);
      return out;
    } finally {
      this.running.delete(analyzer as Analyzer<unknown>);
    }
  }

  /** Findings of every analyzer that has run, in the order they ran. */
  findings(): Finding[] {
    return [...this.outputs.values()].flatMap((o) => o.findings);
  }
}

/**
 * diagnose: every analyzer over one crash, composed into the Diagnosis the reports render.
 * Analyzers share one AnalysisRun, so a result several of them need is computed once.
 */

import type { Crash } from '../model/index.js';
import { classify } from './classify/index.js';
import { cpuActivity } from './cpus.js';
import { decoders } from './decode.js';
import { AnalysisRun } from './engine.js';
import { fault } from './fault.js';
import { irqState } from './irq.js';
import { kasan } from './kasan.js';
import { knownBugs } from './known-bugs/index.js';
import { locks } from './locks.js';
import { nextSteps } from './next-steps.js';
import { oom } from './oom.js';
import type { Diagnosis } from './results.js';
import { spin } from './spin.js';
import { stackGroups } from './stacks.js';
import { story } from './story.js';
import { warning } from './warning.js';

export function diagnose(crash: Crash): Diagnosis {
  const run = new AnalysisRun(crash);
  const { reports, ...classification } = run.get(classify);
  const groups = run.get(stackGroups).groups;
  const { spinners } = run.get(spin);
  run.get(irqState);
  const { locks: found, cycles } = run.get(locks);
  const knownIssues = run.get(knownBugs);
  const decoded = run.get(decoders);
  const steps = run.get(nextSteps);
  const text = run.get(story);
  const oomVerdicts = run.get(oom);
  const faults = run.get(fault);
  const kasanVerdicts = run.get(kasan);
  const cpus = run.get(cpuActivity);
  const warnings = run.get(warning);
  const diagnosis: Diagnosis = {
    classification,
    reports: reports.map((r) => ({ kind: r.kind ?? 'unknown', title: r.title, corrupted: r.corrupted })),
    stackGroups: groups,
    spinners,
    locks: found,
    cycles,
    decoded,
    knownIssues,
    nextSteps: steps,
    findings: run.findings(),
  };
  if (text) diagnosis.story = text;
  if (oomVerdicts.length) diagnosis.oom = oomVerdicts;
  if (faults.length) diagnosis.faults = faults;
  if (kasanVerdicts.length) diagnosis.kasan = kasanVerdicts;
  if (cpus.length) diagnosis.cpuActivity = cpus;
  if (warnings.length) diagnosis.warnings = warnings;
  return diagnosis;
}

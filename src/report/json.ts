/**
 * The JSON contract, `ktriage/report@1`. Fields named in the contract are never renamed; new ones
 * may be added. Addresses and register values are hex strings (`"0xffffea0123300000"`): JSON numbers
 * cannot hold 64-bit values.
 */

import type { Diagnosis } from '../analyze/results.js';
import type { Crash, Frame, Report, Stack } from '../model/index.js';
import { formatFrame } from './format.js';

export const REPORT_SCHEMA = 'ktriage/report@1';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Deep copy with bigint → hex string, undefined dropped, Maps/Sets refused (not in the model). */
export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'bigint':
      return `0x${value.toString(16)}`;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'string':
    case 'boolean':
      return value;
    case 'object': {
      if (Array.isArray(value)) return value.map(toJson);
      const out: { [key: string]: Json } = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || typeof v === 'function') continue;
        out[k] = toJson(v);
      }
      return out;
    }
    default:
      return null;
  }
}

function frameJson(frame: Frame): Json {
  return toJson({
    function: frame.fn,
    offset: frame.offset,
    size: frame.size,
    module: frame.module,
    address: frame.address,
    stackAddress: frame.stackAddress,
    reliable: frame.reliable,
    context: frame.context,
    inline: frame.inline,
    source: frame.source,
    text: formatFrame(frame),
  });
}

function stackJson(stack: Stack | undefined): Json {
  if (!stack) return null;
  return {
    cpu: stack.cpu ?? null,
    pid: stack.pid ?? null,
    comm: stack.comm ?? null,
    origin: stack.origin,
    frames: stack.frames.map(frameJson),
    exceptions: toJson(stack.exceptions),
  };
}

function reportJson(report: Report, named: Diagnosis['reports'][number] | undefined): Json {
  return toJson({
    kind: named?.kind ?? report.kind ?? 'unknown',
    title: named?.title ?? report.title ?? report.header,
    altTitles: report.altTitles,
    header: report.header,
    lines: [report.startLine, report.endLine],
    cpu: report.cpu,
    pid: report.pid,
    comm: report.comm,
    taint: report.taint,
    release: report.release,
    hardware: report.hardware,
    rip:
      report.ripFunction === undefined
        ? undefined
        : formatFrame({
            fn: report.ripFunction,
            offset: report.ripOffset,
            size: report.ripSize,
            module: report.ripModule,
            reliable: true,
            context: 'task',
          }),
    registers: report.regs?.values,
    faultAddress: report.faultAddress,
    corrupted: named?.corrupted ?? report.corrupted,
    frames: report.stack ? (stackJson(report.stack) as { frames: Json }).frames : [],
    code: report.code,
    modules: report.modules,
    locks: report.locks,
  });
}

export function buildJsonReport(crash: Crash, diagnosis: Diagnosis): { [key: string]: Json } {
  const c = diagnosis.classification;
  return {
    schema: REPORT_SCHEMA,
    input: toJson(crash.input),
    system: toJson(crash.system),
    kind: c.kind,
    title: c.title,
    altTitles: c.altTitles,
    corrupted: c.corrupted,
    panic: toJson(c.panic ?? null),
    culprit: toJson(
      c.culprit
        ? { function: c.culprit.function, module: c.culprit.module ?? null, why: c.culprit.why }
        : null,
    ),
    story: diagnosis.story ?? null,
    reports: crash.reports.map((r, i) => reportJson(r, diagnosis.reports[i])),
    findings: toJson(diagnosis.findings),
    stackGroups: toJson(diagnosis.stackGroups),
    spinners: toJson(diagnosis.spinners),
    locks: toJson(diagnosis.locks),
    cycles: toJson(diagnosis.cycles),
    decoded: toJson(diagnosis.decoded),
    knownIssues: toJson(diagnosis.knownIssues),
    nextSteps: toJson(diagnosis.nextSteps),
    oom: toJson(diagnosis.oom ?? []),
    faults: toJson(diagnosis.faults ?? []),
    kasan: toJson(diagnosis.kasan ?? []),
    cpuActivity: toJson(diagnosis.cpuActivity ?? []),
    warnings: toJson(diagnosis.warnings ?? []),
    dump: toJson(crash.dump ? { ...crash.dump, vmcoreinfo: undefined } : null),
    gaps: toJson(crash.gaps),
  };
}

export function renderJson(crash: Crash, diagnosis: Diagnosis, pretty = false): string {
  return JSON.stringify(buildJsonReport(crash, diagnosis), null, pretty ? 2 : undefined);
}

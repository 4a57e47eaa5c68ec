/**
 * Builds the report document in the order of the founding case's story: verdict, evidence, lock &
 * holder, spinners, stack groups, the panic stack, decoded flags, known issues, next steps, other
 * reports, and what would sharpen the answer.
 */

import type { Diagnosis } from '../analyze/results.js';
import { type Crash, interruptsDisabled, type Stack } from '../model/index.js';
import { lockSections } from './build-locks.js';
import { type Block, type Line, plain, type ReportDocument, type Section, span } from './document.js';
import { formatEvidence } from './evidence-text.js';
import { formatFrame, hex } from './format.js';

export interface BuildOptions {
  /** Frames a reader can skip (sanitizer/locking/printk plumbing): dimmed in stacks. */
  isGenericFrame?: (fn: string) => boolean;
  /** Cap on frames printed per stack. */
  maxFrames?: number;
}

export function buildDocument(
  crash: Crash,
  diagnosis: Diagnosis,
  options: BuildOptions = {},
): ReportDocument {
  const c = diagnosis.classification;
  const sections: Section[] = [
    verdictSection(diagnosis, crash),
    evidenceSection(diagnosis),
    ...lockSections(crash, diagnosis),
    panicStackSection(crash, diagnosis, options),
    decodedSection(diagnosis),
    knownIssuesSection(diagnosis),
    nextStepsSection(diagnosis),
    otherReportsSection(crash, diagnosis),
    gapsSection(crash),
  ].filter((s): s is Section => s !== undefined && s.blocks.length > 0);
  return {
    headline: c.kind === 'none' ? noCrashHeadline(crash) : c.title,
    severity: c.kind === 'none' ? 'info' : c.kind === 'warning' ? 'warning' : 'critical',
    subtitle: subtitle(crash),
    sections,
  };
}

function subtitle(crash: Crash): Line[] {
  const s = crash.system;
  const lines: Line[] = [];
  if (s.panic) lines.push([span(s.panic, 'bold')]);
  const facts = [
    s.release,
    s.machine,
    s.cpus !== undefined ? `${s.cpus} CPUs` : undefined,
    s.memoryBytes !== undefined ? formatBytes(s.memoryBytes) : undefined,
    s.nodename && s.nodename !== '(none)' ? s.nodename : undefined,
    s.uptimeSeconds !== undefined ? `up ${formatUptime(s.uptimeSeconds)}` : undefined,
    s.taint ? `tainted ${s.taint.trim()}` : undefined,
  ].filter(Boolean);
  if (facts.length) lines.push([span(facts.join(' · '), 'dim')]);
  const bytes = crash.input.bytes !== undefined ? `, ${formatBytes(crash.input.bytes)}` : '';
  const path = crash.input.path === '-' ? 'standard input' : crash.input.path;
  lines.push([span(`${path} (${crash.input.format}${bytes})`, 'dim')]);
  // A cut or incomplete dump explains every "not in the dump" below: say it first.
  const dump = crash.dump;
  if (dump?.incomplete) {
    const why = dump.notes?.find((n) => /truncated|incomplete/.test(n) && !/not in the dump/.test(n));
    lines.push([span(`incomplete dump: ${why ?? 'some pages were lost'}`, 'warn')]);
  }
  return lines;
}

/** "No crash" only when the log was there to say so. */
function noCrashHeadline(crash: Crash): string {
  return crash.gaps.some((g) => g.what === 'kernel log')
    ? 'No crash report could be read: the kernel log is missing'
    : 'No crash found in this input';
}

function verdictSection(d: Diagnosis, crash: Crash): Section {
  const c = d.classification;
  const blocks: Block[] = [];
  if (c.kind === 'none') {
    const lost = crash.gaps.find((g) => g.what === 'kernel log');
    const text = lost
      ? `No crash report could be read: the kernel log is not in this input (${lost.why}). A vmcore-dmesg.txt saved beside the dump, or the console log, may still have it.`
      : 'No kernel crash report was recognised in this input.';
    blocks.push({ type: 'para', line: plain(text) });
    return { id: 'verdict', title: 'Verdict', blocks };
  }
  if (d.story) blocks.push({ type: 'para', line: plain(d.story) });
  const rows: [string, Line][] = [['Kind', [span(c.kind, 'bold')]]];
  // The headline report's task when another one panicked (a BUG that led to a stall elsewhere).
  const headline = c.report !== undefined ? crash.reports[c.report] : undefined;
  const otherTask = headline?.pid !== undefined && c.panic?.pid !== undefined && headline.pid !== c.panic.pid;
  if (otherTask) {
    const who = [headline.cpu !== undefined ? `CPU ${headline.cpu}` : undefined, `pid ${headline.pid}`];
    if (headline.comm) who.push(`"${headline.comm}"`);
    rows.push(['Reported in', plain(who.join(' '))]);
  }
  if (c.panic && (c.panic.cpu !== undefined || c.panic.pid !== undefined)) {
    const who = [
      c.panic.cpu !== undefined ? `CPU ${c.panic.cpu}` : undefined,
      c.panic.pid !== undefined ? `pid ${c.panic.pid}` : undefined,
      c.panic.comm ? `"${c.panic.comm}"` : undefined,
      c.panic.rip ? `at ${c.panic.rip}` : undefined,
    ].filter(Boolean);
    rows.push([otherTask ? 'Panicked in' : 'Where', plain(who.join(' '))]);
  }
  if (c.culprit) {
    const mod = c.culprit.module ? ` [${c.culprit.module}]` : '';
    rows.push(['Culprit', [span(`${c.culprit.function}${mod}`, 'bold'), span(` — ${c.culprit.why}`)]]);
  }
  if (c.altTitles.length) rows.push(['Also known as', plain(c.altTitles.join('; '))]);
  if (c.corrupted)
    rows.push(['Confidence', [span(`low — ${c.corruptedReason ?? 'the report is damaged'}`, 'warn')]]);
  blocks.push({ type: 'fields', rows });
  return { id: 'verdict', title: 'Verdict', blocks };
}

function evidenceSection(d: Diagnosis): Section {
  const order = { critical: 0, warning: 1, info: 2 } as const;
  const findings = [...d.findings].sort((a, b) => order[a.severity] - order[b.severity]);
  const items: Line[] = findings.map((f) => {
    // Distinct pointers only: a cycle's evidence names each lock's proof once per edge.
    const where = [...new Set(f.evidence.map(formatEvidence))].slice(0, 3).join('; ');
    const style = f.severity === 'critical' ? 'crit' : f.severity === 'warning' ? 'warn' : 'plain';
    return [span(f.message, style), ...(where ? [span(`  [${where}]`, 'dim')] : [])];
  });
  return { id: 'evidence', title: 'Evidence', blocks: items.length ? [{ type: 'list', items }] : [] };
}

/** The stack that tells the headline: the headline report's, else the panic task's / CPU's. */
export function headlineStack(crash: Crash, d: Diagnosis): { stack: Stack; label: string } | undefined {
  const index = d.classification.report;
  const report = index === undefined ? undefined : crash.reports[index];
  if (report?.stack) return { stack: report.stack, label: `Call trace of “${report.header.trim()}”` };
  const pid = crash.system.panicPid;
  const task =
    pid === undefined ? undefined : crash.tasks.find((t) => t.pid === pid && t.stack !== undefined);
  if (task?.stack !== undefined && crash.stacks[task.stack]) {
    return { stack: crash.stacks[task.stack]!, label: `Panic task ${task.pid} "${task.comm ?? ''}"` };
  }
  const cpu = crash.system.panicCpu;
  const cpuEntry =
    cpu === undefined ? undefined : crash.cpus.find((x) => x.id === cpu && x.stack !== undefined);
  if (cpuEntry?.stack !== undefined && crash.stacks[cpuEntry.stack]) {
    return { stack: crash.stacks[cpuEntry.stack]!, label: `Panic CPU ${cpuEntry.id}` };
  }
  return undefined;
}

function panicStackSection(crash: Crash, d: Diagnosis, options: BuildOptions): Section | undefined {
  const found = headlineStack(crash, d);
  if (!found) return undefined;
  const { stack } = found;
  const max = options.maxFrames ?? 40;
  const lines: Line[] = [];
  stack.frames.slice(0, max).forEach((frame, i) => {
    for (const ex of stack.exceptions.filter((e) => e.beforeFrame === i)) lines.push(...exceptionLines(ex));
    const generic =
      !frame.reliable || (frame.fn !== undefined && options.isGenericFrame?.(frame.fn) === true);
    const ctx = frame.context !== 'task' && frame.context !== 'unknown' ? `  <${frame.context}>` : '';
    const text = `${frame.reliable ? '' : '? '}${formatFrame(frame)}`;
    const address =
      frame.offset === undefined && frame.address !== undefined ? `  ${hex(frame.address, 16)}` : '';
    lines.push([
      span(`#${String(i).padEnd(3)}`, 'dim'),
      span(text, generic ? 'dim' : 'plain'),
      span(`${address}${ctx}`, 'dim'),
    ]);
  });
  if (stack.frames.length > max) lines.push([span(`… ${stack.frames.length - max} more frames`, 'dim')]);
  const blocks: Block[] = [{ type: 'code', lines }];
  const regs = stack.regs ?? stack.exceptions[0]?.regs;
  if (regs && interruptsDisabled(regs) === true) {
    const rflags = regs.values.rflags ?? regs.values.eflags;
    blocks.push({
      type: 'para',
      line: [
        span(`RFLAGS ${hex(rflags ?? 0n, 8)}: IF clear — interrupts were disabled at this point.`, 'warn'),
      ],
    });
  }
  return { id: 'stack', title: found.label, blocks };
}

function exceptionLines(ex: Stack['exceptions'][number]): Line[] {
  const lines: Line[] = [];
  const rip = ex.ripFunction
    ? `${ex.ripFunction}${ex.ripOffset !== undefined ? `+${ex.ripOffset}` : ''}`
    : '';
  lines.push([span(`    [${ex.entry ?? 'exception'} RIP: ${rip || '?'}]`, 'bold')]);
  const v = ex.regs.values;
  const shown = [
    'rip',
    'rsp',
    'rflags',
    'rax',
    'rbx',
    'rcx',
    'rdx',
    'rsi',
    'rdi',
    'rbp',
    'r8',
    'r9',
    'r10',
    'r11',
    'r12',
    'r13',
    'r14',
    'r15',
    'cr2',
  ];
  const cells = shown
    .filter((r) => v[r] !== undefined)
    .map((r) => `${r.toUpperCase().padStart(6)}: ${hex(v[r]!, 16)}`);
  for (let i = 0; i < cells.length; i += 3) lines.push([span(`  ${cells.slice(i, i + 3).join(' ')}`, 'dim')]);
  return lines;
}

function decodedSection(d: Diagnosis): Section {
  const rows = d.decoded.map((v) => [
    plain(v.subject),
    [span(v.raw, 'code')],
    plain(v.names.join(' | ') || '(none)'),
  ]);
  return {
    id: 'decoded',
    title: 'Decoded flags',
    blocks: rows.length ? [{ type: 'table', head: ['What', 'Raw', 'Meaning'], rows }] : [],
  };
}

function knownIssuesSection(d: Diagnosis): Section {
  const blocks: Block[] = d.knownIssues.map((k) => {
    const rows: [string, Line][] = [['Issue', [span(k.title, 'bold')]]];
    rows.push(['Match', plain(`${k.confidence} — ${k.matched.join('; ')}`)]);
    if (k.fix)
      rows.push([
        'Fix',
        [
          span(k.fix.commit.slice(0, 12), 'code'),
          span(` ("${k.fix.subject}")${k.fix.version ? `, in ${k.fix.version}` : ''}`),
        ],
      ]);
    if (k.errata?.length) rows.push(['Errata', plain(k.errata.join(', '))]);
    if (k.workaround) rows.push(['Workaround', plain(k.workaround)]);
    if (k.references.length) rows.push(['References', plain(k.references.join(' '))]);
    return { type: 'fields', rows } as Block;
  });
  return { id: 'known', title: 'Known issue', blocks };
}

function nextStepsSection(d: Diagnosis): Section {
  const items: Line[] = d.nextSteps.map((n) => [
    span(`crash> ${n.command}`, 'code'),
    span(`   # ${n.why}`, 'dim'),
  ]);
  return { id: 'next', title: 'Next steps in crash', blocks: items.length ? [{ type: 'list', items }] : [] };
}

function otherReportsSection(crash: Crash, d: Diagnosis): Section {
  const items: Line[] = crash.reports
    .map((r, i) => ({ r, i }))
    .filter(({ i }) => i !== d.classification.report)
    .slice(0, 20)
    .map(({ r, i }) => [span(`line ${r.startLine}: `, 'dim'), span(d.reports[i]?.title ?? r.header.trim())]);
  const more = crash.reports.length - 1 - items.length;
  if (more > 0) items.push(plain(`… and ${more} more`));
  return {
    id: 'other',
    title: 'Other reports in this input',
    blocks: items.length ? [{ type: 'list', items }] : [],
  };
}

function gapsSection(crash: Crash): Section {
  const items: Line[] = crash.gaps.map((g) => [span(g.what, 'bold'), span(` — ${g.why}`)]);
  return {
    id: 'gaps',
    title: 'What would sharpen this',
    blocks: items.length ? [{ type: 'list', items }] : [],
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

export function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86400);
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60]
    .map((x) => String(x).padStart(2, '0'))
    .join(':');
  return days ? `${days} day${days > 1 ? 's' : ''}, ${hms}` : hms;
}

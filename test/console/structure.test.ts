/**
 * Structure read from real reports of the syzkaller corpus: symbolized traces with `[inline]`
 * frames and source lines, the oops registers printed inside the trace, KASAN's allocation and
 * free stacks, old arm64 register lines. Expected values are read from the same text by simple
 * line filters in the test, independent of the parser's code.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCorpusFile } from '../../eval/corpus.js';
import { parseConsoleLog } from '../../src/text/console/index.js';
import { fixture } from '../helpers/shared.js';

function corpus(name: string) {
  const entry = parseCorpusFile(name, readFileSync(fixture('syzkaller', name), 'latin1'));
  return { entry, crash: parseConsoleLog(entry.log, { path: name, format: 'console-log' }) };
}

describe('report structure', () => {
  it('a symbolized WARNING: inline frames, sources, and the registers inside the trace', () => {
    const { entry, crash } = corpus('400');
    const report = crash.reports[0]!;
    const lines = entry.log.split('\n');
    const trace = lines.slice(lines.indexOf('Call Trace:') + 1, lines.indexOf('Kernel Offset: disabled'));
    const frameLines = trace.filter((l) => l.startsWith(' '));
    const stack = report.stack!;
    // One frame per printed frame line, plus the interrupted RIP as the first frame of its context.
    expect(stack.frames).toHaveLength(frameLines.length + 1);
    expect(stack.frames.filter((f) => f.inline)).toHaveLength(
      frameLines.filter((l) => l.endsWith('[inline]')).length,
    );
    expect(stack.frames[0]).toMatchObject({
      fn: '__dump_stack',
      inline: true,
      source: 'lib/dump_stack.c:77',
    });
    expect(stack.exceptions).toHaveLength(1);
    const ex = stack.exceptions[0]!;
    expect(ex.ripFunction).toBe('__flush_work');
    expect(stack.frames[ex.beforeFrame]?.fn).toBe('__flush_work');
    const rbx = /RBX: ([0-9a-f]{16})/.exec(entry.log)![1]!;
    expect(ex.regs.values.rbx).toBe(BigInt(`0x${rbx}`));
    expect(report).toMatchObject({
      cpu: 1,
      pid: 3214,
      comm: 'kworker/1:2',
      ripFunction: '__flush_work',
      release: '4.19.38',
    });
  });

  it('KASAN: the access, the bad address and the allocation/free stacks', () => {
    const { entry, crash } = corpus('130');
    const report = crash.reports[0]!;
    const access = /(Read|Write) of size (\d+) at addr ([0-9a-f]+)/.exec(entry.log)!;
    expect(report.access).toEqual({ kind: access[1] === 'Read' ? 'read' : 'write', size: Number(access[2]) });
    expect(report.faultAddress).toBe(BigInt(`0x${access[3]}`));
    const labels = (report.otherStacks ?? []).map((o) => o.label);
    expect(labels.some((l) => l.startsWith('Allocated by task'))).toBe(true);
    expect(labels.some((l) => l.startsWith('Freed by task'))).toBe(true);
  });

  it('old arm64: "PC is at" and the pc/lr/sp register lines', () => {
    const { entry, crash } = corpus('45');
    const report = crash.reports[0]!;
    expect(report.ripFunction).toBe('_snd_timer_stop.constprop.9');
    const pc = /pc : \[<([0-9a-f]+)>\]/.exec(entry.log)![1]!;
    const sp = /sp : ([0-9a-f]+)/.exec(entry.log)![1]!;
    expect(report.regs?.arch).toBe('arm64');
    expect(report.regs?.values.pc).toBe(BigInt(`0x${pc}`));
    expect(report.regs?.values.sp).toBe(BigInt(`0x${sp}`));
  });

  it('interrupt context markers split the trace into contexts', () => {
    const text = readFileSync(fixture('lab', 'abba-spinlock-irqoff', 'vmcore-dmesg.txt'), 'utf8');
    const crash = parseConsoleLog(text, { path: 'lab', format: 'console-log' });
    const panic = crash.reports.find((r) => r.header.startsWith('Kernel panic'))!;
    // The `?` frames are kept (unreliable) where they were printed; the reliable ones split as:
    expect(panic.stack!.frames.some((f) => !f.reliable)).toBe(true);
    const contexts = panic.stack!.frames.filter((f) => f.reliable).map((f) => f.context);
    // <IRQ> … </IRQ> then <TASK> … </TASK>, as printed.
    expect(contexts.slice(0, 11).every((c) => c === 'irq')).toBe(true);
    expect(contexts.slice(11).every((c) => c === 'task')).toBe(true);
    expect(panic.stack!.exceptions[0]).toMatchObject({ ripFunction: 'native_safe_halt', entry: 'irq' });
  });
});

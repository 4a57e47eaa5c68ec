/**
 * Every shape people paste must give the same diagnosis as the plain log it came from. Real logs
 * (the lab's vmcore-dmesg files, a sample of the syzkaller corpus) are rewritten into each shape —
 * syslog, journal, dmesg -T/-x/iso, levels, caller ids, crash `log -m`, CRLF, serial noise,
 * interleaving with another task's output — and classified again.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../eval/corpus.js';
import { classify } from '../../src/analyze/classify/index.js';
import { AnalysisRun } from '../../src/analyze/engine.js';
import { parseConsoleLog } from '../../src/text/console/index.js';
import { fixture } from '../helpers/shared.js';

interface Line {
  stamp?: string;
  text: string;
}

const STAMPED = /^\[\s*(\d+\.\d+)\] (.*)$/;

function split(log: string): Line[] {
  return log.split('\n').map((raw) => {
    const m = STAMPED.exec(raw);
    return m ? { stamp: m[1]!, text: m[2]! } : { text: raw };
  });
}

const pad = (stamp: string): string => stamp.padStart(12, ' ');
const clock = (stamp: string): string => {
  const s = Math.floor(Number(stamp));
  return `${String(10 + (Math.floor(s / 3600) % 10)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/** Shape name → how a stamped line is written in it (unstamped lines stay as they are). */
const SHAPES: Record<string, (l: Required<Line>) => string> = {
  syslog: (l) => `Mar  3 ${clock(l.stamp)} host kernel: [${pad(l.stamp)}] ${l.text}`,
  journal: (l) => `Mar 03 ${clock(l.stamp)} host kernel: ${l.text}`,
  'journal-monotonic': (l) => `[${pad(l.stamp)}] host kernel: ${l.text}`,
  'dmesg-T': (l) => `[Tue Mar  3 ${clock(l.stamp)} 2026] ${l.text}`,
  'dmesg-x': (l) => `kern  :warn  : [${pad(l.stamp)}] ${l.text}`,
  'dmesg-iso': (l) => `2026-03-03T${clock(l.stamp)},${l.stamp.split('.')[1]!.padEnd(6, '0')}+00:00 ${l.text}`,
  levels: (l) => `<4>[${pad(l.stamp)}] ${l.text}`,
  'crash-log-m': (l) => `[${pad(l.stamp)}] <4>${l.text}`,
  'caller-id': (l) => `[${pad(l.stamp)}][    T1] ${l.text}`,
};

function reshape(log: string, shape: (l: Required<Line>) => string): string {
  return split(log)
    .map((l) => (l.stamp === undefined ? l.text : shape(l as Required<Line>)))
    .join('\n');
}

function verdict(log: string) {
  const crash = parseConsoleLog(log, { path: 'shape', format: 'console-log' });
  const c = new AnalysisRun(crash).get(classify);
  return { kind: c.kind, title: c.title, culprit: c.culprit?.function };
}

const labDir = fixture('lab');
const labLogs = readdirSync(labDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'kernel')
  .map((d) => ({ name: `lab/${d.name}`, log: readFileSync(`${labDir}/${d.name}/vmcore-dmesg.txt`, 'utf8') }));
// Every 20th corpus log that has a crash and is fully stamped, so each shape sees many kinds.
const corpusLogs = loadCorpus(fixture('syzkaller'))
  .filter((e, i) => i % 20 === 0 && e.title !== undefined)
  .filter((e) => e.log.split('\n').every((l) => l === '' || STAMPED.test(l)))
  .map((e) => ({ name: `syzkaller/${e.name}`, log: e.log }));
const logs = [...labLogs, ...corpusLogs];

describe('console shapes', () => {
  it('has real logs to reshape', () => {
    expect(labLogs.length).toBeGreaterThanOrEqual(10);
    expect(corpusLogs.length).toBeGreaterThan(5);
  });

  for (const [name, shape] of Object.entries(SHAPES)) {
    it(`${name}: same verdict as the plain log`, () => {
      for (const { name: log, log: text } of logs) {
        expect(verdict(reshape(text, shape)), `${name} of ${log}`).toEqual(verdict(text));
      }
    });
  }

  it('CRLF line ends: same verdict', () => {
    for (const { name, log } of logs)
      expect(verdict(log.replaceAll('\n', '\r\n')), name).toEqual(verdict(log));
  });

  it('serial noise (NULs, ANSI colour, carriage returns, a glued login prompt): same verdict', () => {
    for (const { name, log } of labLogs) {
      const noisy = log
        .split('\n')
        .flatMap((l, i) => (i % 7 === 3 ? ['\u0000\u001b[0m\r', l] : i === 5 ? [`host login: ${l}`] : [l]))
        .join('\r\n');
      expect(verdict(noisy), name).toEqual(verdict(log));
    }
  });

  it('interleaved with another task (caller ids): same verdict', () => {
    // Another task's boot-time chatter (no report in it) between every two lines.
    const other = split(labLogs.find((l) => l.name.endsWith('sysrq-c'))!.log).filter(
      (l) => l.stamp !== undefined && Number(l.stamp) < 2,
    );
    for (const { name, log } of logs) {
      const own = reshape(log, SHAPES['caller-id']!).split('\n');
      const mixed = own.flatMap((l, i) => {
        const o = other[i % other.length]!;
        return [l, `[${pad(o.stamp!)}][  T999] ${o.text}`];
      });
      expect(verdict(mixed.join('\n')), name).toEqual(verdict(own.join('\n')));
    }
  });

  it('several reports in one log: the first one is the headline', () => {
    const a = labLogs.find((l) => l.name.endsWith('mutex-hung'))!.log;
    const b = labLogs.find((l) => l.name.endsWith('null-deref'))!.log;
    const both = parseConsoleLog(`${a}\n${b}`, { path: 'two', format: 'console-log' });
    const c = new AnalysisRun(both).get(classify);
    expect(c).toMatchObject({ kind: verdict(a).kind, title: verdict(a).title });
    expect(c.reports.map((r) => r.kind)).toContain('null-deref');
  });
});

describe("crash's log command output (real, from the lab's mutex-hung dump)", () => {
  const plain = verdict(readFileSync(fixture('lab', 'mutex-hung', 'vmcore-dmesg.txt'), 'utf8'));
  for (const option of ['T', 'm', 't', 'd']) {
    it(`log -${option}: same verdict as vmcore-dmesg`, () => {
      const text = readFileSync(fixture('dump', 'crash-log-options', `mutex-hung-log-${option}.txt`), 'utf8');
      expect(verdict(text)).toEqual(plain);
    });
  }
});

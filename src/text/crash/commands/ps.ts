/**
 * `ps` (PID PPID CPU TASK ST %MEM VSZ RSS COMM, `>` marking the task active on its CPU, `[comm]`
 * for kernel threads), rows grepped out of it (`ps | grep UN`), and `ps -m` / `ps -l` lines
 * (`[ 0 00:00:00.002] [IN]  PID: …`).
 */

import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import type { CommandParser } from '../parser.js';
import { PS_HEADER, PS_ROW, PS_TIME_ROW } from '../shapes.js';

export const psParser: CommandParser = {
  name: 'ps',
  forCommand: (words) => {
    const w = (words[0] ?? '').toLowerCase();
    return w === 'ps' || (w === 'foreach' && words.includes('ps'));
  },
  startsOutput: (lines, i) => {
    const t = lines[i]!.text;
    return PS_HEADER.test(t) || PS_ROW.test(t) || PS_TIME_ROW.test(t);
  },
  continues: (line) => PS_HEADER.test(line.text) || PS_ROW.test(line.text) || PS_TIME_ROW.test(line.text),
  parse: (block, out) => parsePs(block, out),
};

/** `ps -m` time since last run: `[ 1 02:03:04.005]` → nanoseconds. */
export function parseRunTime(text: string): number | undefined {
  const m = /^\s*(?:(\d+)\s+)?(\d+):(\d\d):(\d\d)\.(\d{1,9})\s*$/.exec(text);
  if (!m) return undefined;
  const seconds = Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  const fraction = Number(`0.${m[5]}`);
  return Math.round((seconds + fraction) * 1e9);
}

function parsePs(block: Block, out: TranscriptBuilder): void {
  for (const line of block.lines) {
    const ev = evidenceFor(block, line);
    let m = PS_ROW.exec(line.text);
    if (m) {
      const rawComm = m[10]!.trim();
      const kernelThread = /^\[.*\]$/.test(rawComm);
      const comm = kernelThread ? rawComm.slice(1, -1) : rawComm;
      const pid = Number(m[2]);
      const task = BigInt(`0x${m[5]}`);
      const active = m[1] === '>';
      const cpu = m[4] === '-' ? undefined : Number(m[4]);
      const ppid = Number(m[3]);
      out.task(
        {
          pid,
          ppid: ppid >= 0 ? ppid : undefined,
          cpu,
          task,
          state: m[6]!,
          memPercent: Number(m[7]),
          vszKb: Number(m[8]),
          rssKb: Number(m[9]),
          comm,
          kernelThread,
          active,
        },
        ev,
      );
      if (active && cpu !== undefined) out.activeTask({ cpu, pid, task, comm, evidence: ev });
      continue;
    }
    m = PS_TIME_ROW.exec(line.text);
    if (m) {
      // ps -m prints `[days hh:mm:ss.ms]` since the task last ran; ps -l a raw timestamp (not kept).
      const sinceLastRun = parseRunTime(m[1]!);
      out.task(
        {
          pid: Number(m[3]),
          task: BigInt(`0x${m[4]}`),
          state: m[2]!,
          cpu: m[5] === '-' ? undefined : Number(m[5]),
          comm: m[6]!,
          lastRunNs: sinceLastRun,
        },
        ev,
      );
    }
  }
}

/**
 * What every CPU was doing when the machine stopped, one line each: its task, where it was
 * stopped, whether interrupts were off, and what that means for the crash — it panicked, spins on
 * a lock (and which), holds one, is idle, or just ran. Built from the other analyzers' results.
 */

import type { Crash } from '../model/index.js';
import { interruptsDisabled } from '../model/index.js';
import { stoppedActivity } from './activity.js';
import { formatLocation, locate, stacksOf } from './frames.js';
import { irqState } from './irq.js';
import { locks } from './locks.js';
import type { CpuActivity } from './results.js';
import { spin } from './spin.js';
import { defineAnalyzer } from './types.js';

export const cpuActivity = defineAnalyzer<CpuActivity[]>({
  meta: { id: 'cpus', description: 'What every CPU was doing: task, place, interrupts, role in the crash' },
  analyze(crash, context) {
    const stacks = stacksOf(crash);
    const { spinners } = context.get(spin);
    const { locks: found } = context.get(locks);
    const irqs = context.get(irqState);
    const out: CpuActivity[] = [];
    for (const cpu of [...crash.cpus].sort((a, b) => a.id - b.id)) {
      const row: CpuActivity = { cpu: cpu.id, doing: cpu.offline ? 'offline' : 'unknown' };
      const stack = cpu.stack !== undefined ? stacks[cpu.stack] : undefined;
      const pid = cpu.pid ?? stack?.pid;
      const comm = cpu.comm ?? stack?.comm;
      if (pid !== undefined) row.pid = pid;
      if (comm !== undefined) row.comm = comm;
      if (stack) {
        const loc = locate(stack);
        if (loc.fn !== undefined || loc.address !== undefined) row.at = formatLocation(loc);
        row.doing = stoppedActivity(stack).activity;
        const off = irqs.find((s) => s.stack === cpu.stack)?.disabled ?? interruptsDisabled(loc.regs);
        if (off !== undefined) row.interruptsOff = off;
        const spinner = spinners.find((s) => s.stack === cpu.stack);
        if (spinner) {
          row.doing = 'spinning';
          const lock = found.find((l) =>
            l.waiters.some((w) => w.stack === cpu.stack || samePlace(w, cpu.id, pid)),
          );
          row.note = lock ? `waits for ${lock.description}` : `${spinner.how} wait`;
        }
      }
      const held = found.filter((l) => l.holder && samePlace(l.holder, cpu.id, pid));
      if (held.length)
        row.note = joinNotes(
          row.note,
          held.map((l) => `holds ${l.description}${l.holder?.confidence === 'high' ? '' : ' (likely)'}`),
        );
      if (cpu.id === crash.system.panicCpu) row.note = joinNotes(row.note, [panicNote(crash)]);
      out.push(row);
    }
    return { result: out, findings: [] };
  },
});

function samePlace(p: { cpu?: number; pid?: number }, cpu: number, pid: number | undefined): boolean {
  if (p.cpu !== undefined)
    return p.cpu === cpu && (p.pid === undefined || pid === undefined || p.pid === pid);
  return pid !== undefined && pid !== 0 && p.pid === pid;
}

function joinNotes(note: string | undefined, more: string[]): string {
  return [note, ...more].filter(Boolean).join('; ');
}

function panicNote(crash: Crash): string {
  const message = crash.system.panic?.replace(/^\s*Kernel panic - not syncing:\s*/, '');
  return message ? `panicked: ${message.length > 60 ? `${message.slice(0, 57)}…` : message}` : 'panicked';
}

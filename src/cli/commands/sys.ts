/** `ktriage sys VMCORE`: crash's `sys` fields that a dump gives without symbols, in crash's layout. */

import type { Command } from 'commander';
import { formatCrashDate, formatUptime } from '../../kernel/printk/time.js';
import { readDump } from '../../load/dump-read.js';
import { findPanic } from '../../load/dump-system.js';
import type { Crash } from '../../model/crash.js';
import { parseTimeZone } from '../time-zone.js';
import { ttyProgress } from './progress.js';

export function registerSys(program: Command): void {
  program
    .command('sys')
    .description("print system facts of a vmcore, like crash's `sys` (the fields that need no symbols)")
    .argument('<vmcore>', 'ELF, kdump-compressed or flattened dump')
    .option('--tz <zone>', 'time zone for DATE (IANA name; default: local)', parseTimeZone)
    .action((vmcore: string, options: { tz?: string }) => {
      process.stdout.write(renderSys(vmcore, options));
    });
}

export function renderSys(vmcore: string, options: { tz?: string } = {}): string {
  const progress = ttyProgress();
  try {
    const loaded = readDump(vmcore, { timeZone: options.tz, progress, symbols: true });
    const text = formatSys(loaded.crash, findPanic(loaded.kernelLog.records)?.checkLog ?? false, options.tz);
    loaded.kernelDump.close();
    return text;
  } finally {
    progress.done();
  }
}

export function formatSys(crash: Crash, panicNeedsLog: boolean, timeZone?: string): string {
  const s = crash.system;
  const rows: [string, string | undefined][] = [
    ['DUMPFILE', s.dumpFile && `${s.dumpFile}${s.partialDump ? '  [PARTIAL DUMP]' : ''}`],
    ['CPUS', s.cpus?.toString()],
    ['DATE', s.dumpDate && formatCrashDate(Math.floor(Date.parse(s.dumpDate) / 1000), timeZone)],
    ['UPTIME', s.uptimeSeconds !== undefined ? formatUptime(s.uptimeSeconds) : undefined],
    ['LOAD AVERAGE', s.loadAverage],
    ['NODENAME', s.nodename],
    ['RELEASE', s.release],
    ['VERSION', s.version],
    ['MACHINE', s.machine && `${s.machine}${s.cpuMhz !== undefined ? `  (${s.cpuMhz} Mhz)` : ''}`],
    ['MEMORY', s.memoryBytes !== undefined ? formatMemory(s.memoryBytes) : undefined],
    [
      'PANIC',
      s.panic !== undefined ? `"${s.panic}"${panicNeedsLog ? ' (check log for details)' : ''}` : undefined,
    ],
    ['PID', s.panicPid?.toString()],
    ['COMMAND', s.panicComm !== undefined ? `"${s.panicComm}"` : undefined],
    ['CPU', s.panicCpu?.toString()],
    ['DUMP TYPE', dumpType(crash)],
  ];
  return rows
    .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
    .map(([k, v]) => `${k.padStart(12)}: ${v}\n`)
    .join('');
}

/** crash's size format: one decimal in the largest unit ≥ 1, ".0" dropped. */
export function formatMemory(bytes: number): string {
  const units: [string, number][] = [
    ['TB', 2 ** 40],
    ['GB', 2 ** 30],
    ['MB', 2 ** 20],
    ['KB', 2 ** 10],
  ];
  for (const [unit, size] of units) {
    if (bytes >= size) return `${(bytes / size).toFixed(1).replace(/\.0$/, '')} ${unit}`;
  }
  return `${bytes} bytes`;
}

function dumpType(crash: Crash): string | undefined {
  const d = crash.dump;
  if (!d) return undefined;
  const kind = d.container === 'elf' ? 'ELF' : d.container === 'kdump' ? 'kdump-compressed' : 'flattened';
  const parts: string[] = [];
  if (d.headerVersion !== undefined) parts.push(`header v${d.headerVersion}`);
  if (d.compression) parts.push(d.compression.length ? d.compression.join('+') : 'uncompressed');
  let text = `${kind}${parts.length ? ` (${parts.join(', ')})` : ''}`;
  if (d.dumpLevel !== undefined) text += `, dump level ${d.dumpLevel}`;
  if (d.incomplete) text += ', INCOMPLETE';
  return text;
}

/**
 * The kernel log printed the way crash's `log` prints it, so eyes and greps carry over:
 *   `[    0.000000] text`, continuation lines of a multi-line record indented to the text column;
 *   -T `[Fri Nov 27 05:50:56 UTC 2026] text` (boot time + timestamp, whole seconds);
 *   -t no timestamp; -m `<level>` before the text; -d dev_info/dict lines (`SUBSYSTEM=pci`) after it.
 * `-c` (ours) adds the caller id as the kernel's CONFIG_PRINTK_CALLER does: `[    T123]` / `[     C1]`.
 */

import { formatCrashDate } from './time.js';
import type { KernelLogRecord } from './types.js';

export interface LogFormatOptions {
  /** relative: `[  123.456789]`; human: `[date]` (needs bootTimeSec); none: no prefix. */
  time?: 'relative' | 'human' | 'none';
  level?: boolean;
  dict?: boolean;
  caller?: boolean;
  /** Wall-clock seconds at boot, for `human` (crash: dump time − uptime, whole seconds). */
  bootTimeSec?: number;
  timeZone?: string;
}

export function relativeStamp(tsNsec: bigint): string {
  const usec = tsNsec / 1000n;
  const sec = usec / 1000000n;
  const frac = (usec % 1000000n).toString().padStart(6, '0');
  return `[${`${sec}.${frac}`.padStart(12)}]`;
}

export function callerStamp(callerId: number | undefined): string {
  if (callerId === undefined) return '';
  const cpu = (callerId & 0x80000000) !== 0;
  const id = cpu ? `C${callerId & 0x7fffffff}` : `T${callerId}`;
  return `[${id.padStart(6)}]`;
}

/** Lines of one record. */
export function formatRecord(r: KernelLogRecord, o: LogFormatOptions = {}): string[] {
  let prefix = '';
  const time = o.time ?? 'relative';
  if (time === 'relative') prefix = `${relativeStamp(r.tsNsec)} `;
  else if (time === 'human') {
    const seconds = (o.bootTimeSec ?? 0) + Number(r.tsNsec / 1000000000n);
    prefix = `[${formatCrashDate(seconds, o.timeZone)}] `;
  }
  if (o.caller)
    prefix = prefix ? `${prefix.trimEnd()}${callerStamp(r.callerId)} ` : `${callerStamp(r.callerId)} `;
  const level = o.level ? `<${r.level.toString(16)}>` : '';
  const indent = ' '.repeat(prefix.length + level.length);
  const [first = '', ...rest] = r.text.split('\n');
  const lines = [`${prefix}${level}${first}`, ...rest.map((l) => `${indent}${l}`)];
  if (o.dict && r.dict) for (const [k, v] of Object.entries(r.dict)) lines.push(`${indent}${k}=${v}`);
  return lines;
}

export function formatLog(records: KernelLogRecord[], o: LogFormatOptions = {}): string[] {
  const lines: string[] = [];
  for (const r of records) lines.push(...formatRecord(r, o));
  return lines;
}

/** `ktriage log VMCORE`: the kernel log of a dump, printed like crash's `log` (same options). */

import type { Command } from 'commander';
import { KtriageError } from '../../errors.js';
import { formatLog } from '../../kernel/printk/format.js';
import { readDump } from '../../load/dump-read.js';
import { parseTimeZone } from '../time-zone.js';
import { ttyProgress } from './progress.js';

interface LogOptions {
  humanTime?: boolean;
  noTimestamp?: boolean;
  dict?: boolean;
  level?: boolean;
  caller?: boolean;
  tz?: string;
}

export function registerLog(program: Command): void {
  program
    .command('log')
    .description("print the kernel log of a vmcore, like crash's `log`")
    .argument('<vmcore>', 'ELF, kdump-compressed or flattened dump')
    .option('-T, --human-time', 'wall-clock timestamps (boot time + timestamp; local_clock drift applies)')
    .option('-t, --no-timestamp', 'no timestamps')
    .option('-d, --dict', 'dev_printk() metadata (SUBSYSTEM=, DEVICE=) under each record')
    .option('-m, --level', 'the log level in angle brackets before each message')
    .option('-c, --caller', 'the caller id ([T123] thread, [C1] CPU) after the timestamp')
    .option('--tz <zone>', 'time zone for -T (IANA name; default: local)', parseTimeZone)
    .action((vmcore: string, options: LogOptions & { timestamp?: boolean }) => {
      process.stdout.write(renderLog(vmcore, { ...options, noTimestamp: options.timestamp === false }));
    });
}

export function renderLog(vmcore: string, options: LogOptions): string {
  const progress = ttyProgress();
  try {
    const { kernelLog, crash, kernelDump } = readDump(vmcore, {
      timeZone: options.tz,
      progress,
      dateText: false,
    });
    progress.done();
    const uptime = crash.system.uptimeSeconds ?? 0;
    const dumpSeconds = crash.system.dumpDate
      ? Math.floor(Date.parse(crash.system.dumpDate) / 1000)
      : undefined;
    const lines = formatLog(kernelLog.records, {
      time: options.noTimestamp ? 'none' : options.humanTime ? 'human' : 'relative',
      level: options.level,
      dict: options.dict,
      caller: options.caller,
      ...(dumpSeconds !== undefined ? { bootTimeSec: dumpSeconds - uptime } : {}),
      ...(options.tz ? { timeZone: options.tz } : {}),
    });
    kernelDump.close();
    // No record at all is a failure to do what was asked (exit 9), not an empty log.
    const lost = crash.gaps.find((g) => g.what === 'kernel log');
    if (lines.length === 0 && lost) throw new KtriageError('missingData', `log: ${lost.why}`);
    for (const problem of kernelLog.problems) process.stderr.write(`ktriage: log: ${problem}\n`);
    return lines.length ? `${lines.join('\n')}\n` : '';
  } finally {
    progress.done();
  }
}

/**
 * A vmcore → the model's Crash, ready for analysis: ./dump-read.ts (system facts, the log, CPUs,
 * memory) plus the same report extraction a console log gets (src/text/console), so a dump has a
 * diagnosis from its log today.
 */

import type { Crash } from '../model/crash.js';
import type { SystemFacts } from '../model/system.js';
import { extractReports } from '../text/console/index.js';
import { type LoadDumpOptions, type LoadedDump, readDump } from './dump-read.js';

export type { LoadDumpOptions, LoadedDump } from './dump-read.js';
export { readDump, toLogRecords } from './dump-read.js';

export function loadDump(path: string, options: LoadDumpOptions = {}): Crash {
  return loadDumpDetailed(path, options).crash;
}

export function loadDumpDetailed(path: string, options: LoadDumpOptions = {}): LoadedDump {
  const loaded = readDump(path, options);
  const { crash } = loaded;
  const extracted = extractReports(crash.log);
  crash.reports = extracted.reports;
  crash.stacks.push(...extracted.stacks);
  crash.tasks.push(...extracted.tasks);
  crash.gaps.push(...extracted.gaps);
  for (const [key, value] of Object.entries(extracted.system) as [keyof SystemFacts, unknown][]) {
    if (crash.system[key] === undefined) (crash.system as Record<string, unknown>)[key] = value;
  }
  return loaded;
}

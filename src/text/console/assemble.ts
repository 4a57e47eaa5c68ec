/** Records → a Crash: the one place that puts what extractReports found into the model. */

import type { SystemFacts } from '../../model/index.js';
import { type Crash, emptyCrash, type InputInfo, type LogRecord } from '../../model/index.js';
import { extractReports } from './extract.js';

/** `system`: facts a streaming reader gathered from lines it did not keep. */
export function crashFromRecords(records: LogRecord[], input: InputInfo, system?: SystemFacts): Crash {
  const crash = emptyCrash(input);
  const extracted = extractReports(records, system);
  crash.log = records;
  crash.reports = extracted.reports;
  crash.stacks = extracted.stacks;
  crash.cpus = extracted.cpus;
  crash.tasks = extracted.tasks;
  crash.system = extracted.system;
  // A log without a panic or a boot banner still names the kernel in its reports' CPU lines.
  const named = crash.reports.find((r) => r.release !== undefined);
  if (named) {
    crash.system.release ??= named.release;
    if (named.taint !== undefined) crash.system.taint ??= named.taint;
    if (named.hardware !== undefined) crash.system.hardware ??= named.hardware;
  }
  crash.gaps.push(...extracted.gaps);
  return crash;
}

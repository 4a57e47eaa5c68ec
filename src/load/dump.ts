/**
 * A vmcore → the model's Crash, ready for analysis: ./dump-read.ts (system facts, the log, CPUs,
 * memory), the same report extraction a console log gets (src/text/console), so a dump has a
 * diagnosis from its log, and — when asked — symbols, types and tasks read from memory
 * (src/kernel/kernel-context.ts).
 */

import { KtriageError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { KernelContext, type KernelContextOptions } from '../kernel/kernel-context.js';
import { applyKernelTasks } from '../kernel/sched/load.js';
import { unwindStacks } from '../kernel/unwind/from-context.js';
import type { Crash } from '../model/crash.js';
import type { SystemFacts } from '../model/system.js';
import { extractReports } from '../text/console/index.js';
import { type EnrichResult, enrichFromKernel } from './dump-model.js';
import {
  type LoadDumpOptions as ReadDumpOptions,
  type LoadedDump as ReadDumpResult,
  readDump,
} from './dump-read.js';
import { symbolFacts } from './dump-system.js';

export { readDump, toLogRecords } from './dump-read.js';

export interface LoadDumpOptions extends ReadDumpOptions {
  /**
   * Also read symbols, types, tasks and CPUs from memory (kallsyms + BTF, ~0.2 s more; see
   * docs/kernel-api.md). `true`, or the options (`--symbols` file) to read them with.
   */
  kernel?: boolean | KernelContextOptions;
}

export interface LoadedDump extends ReadDumpResult {
  /** Symbols, types, per-cpu data of the kernel, when `options.kernel` asked for them. */
  kernelContext?: KernelContext;
  /** What enrichFromKernel read from memory: spin targets, sleeping locks, pages. */
  enriched?: EnrichResult;
}

export function loadDump(input: string | ByteSource, options: LoadDumpOptions = {}): Crash {
  return loadDumpDetailed(input, options).crash;
}

export function loadDumpDetailed(input: string | ByteSource, options: LoadDumpOptions = {}): LoadedDump {
  const loaded: LoadedDump = readDump(input, options);
  const { crash, kernelDump } = loaded;
  const extracted = extractReports(crash.log);
  crash.reports = extracted.reports;
  crash.stacks.push(...extracted.stacks);
  crash.tasks.push(...extracted.tasks);
  crash.gaps.push(...extracted.gaps);
  for (const [key, value] of Object.entries(extracted.system) as [keyof SystemFacts, unknown][]) {
    if (crash.system[key] === undefined) (crash.system as Record<string, unknown>)[key] = value;
  }
  if (!options.kernel) {
    crash.gaps.push({
      what: 'tasks, stacks and symbols',
      why: 'not read from memory for this command; the log above is complete',
    });
    return loaded;
  }
  const kernelContext = new KernelContext(kernelDump.kernel, options.kernel === true ? {} : options.kernel);
  let enriched: EnrichResult | undefined;
  if (applyKernelTasks(crash, kernelContext)) {
    // Frame words (crash's `bt -f`) let the lock analysis see which stacks hold a lock's address.
    unwindStacks(crash, kernelContext, { words: true });
    // Code, and the locks memory shows (src/load/dump-model.ts).
    enriched = enrichFromKernel(crash, kernelDump, kernelContext);
  }
  try {
    const symbols = kernelContext.coreSymbolsOnly;
    Object.assign(
      crash.system,
      symbolFacts(kernelDump.kernel, (name) => symbols.byName(name)?.address, loaded.kernelLog.records),
    );
  } catch (error) {
    if (!(error instanceof KtriageError)) throw error;
  }
  return { ...loaded, kernelContext, ...(enriched ? { enriched } : {}) };
}

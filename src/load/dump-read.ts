/**
 * A vmcore → the model's Crash, without report extraction (what `log` and `sys` need; `loadDump`
 * in ./dump.ts adds the reports): system facts (crash `sys` without symbols), the kernel log (one
 * LogRecord per printed line, numbered like `ktriage log` output), CPUs with their NT_PRSTATUS
 * registers, the dump summary and a MemoryView over kernel memory. Tasks, stacks and symbols come
 * from the layers built on KernelMemory (see docs/dump-api.md); `gaps` says so.
 */

import type { OpenDumpOptions } from '../dump/open.js';
import { KtriageError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { readKernelLog } from '../kernel/printk/index.js';
import type { KernelLog, KernelLogRecord } from '../kernel/printk/types.js';
import { hasKallsyms, symbolsFromDump } from '../kernel/symbols/load.js';
import type { VmcoreInfo } from '../kernel/vmcoreinfo.js';
import type { KernelMemory } from '../kernel/x86_64/kernel-memory.js';
import { type Crash, emptyCrash, type InputFormat } from '../model/crash.js';
import type { LogRecord } from '../model/log.js';
import type { Cpu } from '../model/task.js';
import { type KernelDump, openKernelDump } from './dump-open.js';
import { type SymbolLookup, systemFacts } from './dump-system.js';

export interface LoadDumpOptions extends OpenDumpOptions {
  /** IANA zone for dates (default: the process's local zone, as crash does). */
  timeZone?: string;
  /** Render system.dumpDateText (default true). */
  dateText?: boolean;
  /**
   * Decode the dump's kallsyms (~0.1 s) for the facts that need symbols: UPTIME from jiffies and
   * LOAD AVERAGE from avenrun, as crash computes them. Without, uptime comes from the last log
   * timestamp.
   */
  symbols?: boolean;
}

export interface LoadedDump {
  crash: Crash;
  kernelDump: KernelDump;
  /** The raw log records (with levels, dicts, caller ids) for `ktriage log`. */
  kernelLog: KernelLog;
}

/** A file path, or any ByteSource (a Buffer in tests and tools, a Blob in a browser). */
export function readDump(input: string | ByteSource, options: LoadDumpOptions = {}): LoadedDump {
  const path = typeof input === 'string' ? input : input.name;
  const kernelDump = openKernelDump(input, options);
  const { dump, vmcoreinfo, kernel } = kernelDump;
  const format: InputFormat = dump.flattened
    ? 'vmcore-flattened'
    : dump.container === 'elf'
      ? 'vmcore-elf'
      : 'vmcore-kdump';
  const crash = emptyCrash({ path, format, bytes: dump.source.size });
  let kernelLog: KernelLog;
  try {
    kernelLog = readKernelLog(kernel, vmcoreinfo);
  } catch (error) {
    if (!(error instanceof KtriageError) || error.kind === 'internal') throw error;
    kernelLog = { format: 'ringbuffer', records: [], problems: [error.message] };
    crash.gaps.push({ what: 'kernel log', why: error.message });
  }
  crash.log = toLogRecords(kernelLog.records);
  crash.system = systemFacts(dump, vmcoreinfo, kernel, kernelLog.records, {
    dumpFile: path,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    dateText: options.dateText ?? true,
    ...(options.symbols ? { lookup: symbolLookup(kernel, vmcoreinfo, crash) } : {}),
  });
  crash.cpus = dump.notes.prstatus.map(
    (p): Cpu => ({
      id: p.cpu,
      pid: p.pid,
      idle: p.pid === 0,
      regs: p.registers,
      evidence: [{ source: 'dump', cpu: p.cpu, pid: p.pid, note: 'NT_PRSTATUS' }],
    }),
  );
  crash.memory = kernel.memoryView();
  crash.dump = { ...dump.info, notes: [...(dump.info.notes ?? []), ...kernelLog.problems] };
  return { crash, kernelDump, kernelLog };
}

/** Symbol addresses from the dump's own kallsyms; on failure a gap and no lookup. */
function symbolLookup(kernel: KernelMemory, vi: VmcoreInfo, crash: Crash): SymbolLookup | undefined {
  if (!hasKallsyms(vi)) {
    crash.gaps.push({
      what: 'uptime from jiffies, load average',
      why: 'VMCOREINFO does not locate kallsyms (Linux < 6.0)',
    });
    return undefined;
  }
  try {
    const symbols = symbolsFromDump(kernel.memoryView(), vi);
    return (name) => symbols.byName(name)?.address;
  } catch (error) {
    if (!(error instanceof KtriageError)) throw error;
    crash.gaps.push({ what: 'uptime from jiffies, load average', why: error.message });
    return undefined;
  }
}

/** One LogRecord per printed line; `line` = the line's number in `ktriage log` output. */
export function toLogRecords(records: KernelLogRecord[]): LogRecord[] {
  const out: LogRecord[] = [];
  let line = 1;
  for (const r of records) {
    const time = Number(r.tsNsec / 1000n) / 1e6;
    const caller = r.callerId === undefined ? undefined : callerOf(r.callerId);
    r.text.split('\n').forEach((text, i) => {
      const record: LogRecord = {
        seq: r.seq,
        time,
        level: r.level,
        facility: r.facility,
        text,
        line: line++,
      };
      if (caller) record.caller = caller;
      if (i === 0 && r.dict) record.dict = r.dict;
      if (i > 0) record.continuation = true;
      out.push(record);
    });
  }
  return out;
}

function callerOf(id: number): LogRecord['caller'] {
  return id & 0x80000000 ? { kind: 'cpu', id: id & 0x7fffffff } : { kind: 'task', id };
}

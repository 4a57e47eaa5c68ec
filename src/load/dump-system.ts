/**
 * crash's `sys` facts from the dump itself: utsname (kdump header, else `init_uts_ns` in memory),
 * dump date (header timestamp, else CRASHTIME), CPUs (header nr_cpus, else one NT_PRSTATUS per
 * CPU), memory (the boot log's `Memory: …K/…K available`), CPU MHz (the boot log's tsc line), the
 * panic message, CPU and task from the log (checked against the NT_PRSTATUS pid). With symbols
 * (`symbolFacts`): uptime from jiffies and the load average, as crash computes them; without,
 * uptime is the last log timestamp (local_clock, up to a second ahead of jiffies).
 */

import type { Dump } from '../dump/open.js';
import { formatCrashDate } from '../kernel/printk/time.js';
import type { KernelLogRecord } from '../kernel/printk/types.js';
import type { VmcoreInfo } from '../kernel/vmcoreinfo.js';
import type { KernelMemory } from '../kernel/x86_64/kernel-memory.js';
import type { Evidence } from '../model/evidence.js';
import type { SystemFacts } from '../model/system.js';

const UTS_LEN = 65n;

export interface PanicFacts {
  message: string;
  /** crash adds "(check log for details)" when the message is not a panic() string. */
  checkLog: boolean;
  cpu?: number;
  pid?: number;
  comm?: string;
  /** Index of the record holding the message. */
  record: number;
}

/** Address of a kernel symbol, when symbols are available (kallsyms, System.map). */
export type SymbolLookup = (name: string) => bigint | undefined;

export interface SystemFactsOptions {
  dumpFile: string;
  /** IANA zone for `dumpDateText` (default: local). */
  timeZone?: string;
  /** Compute `dumpDateText` (costs the first Intl use, ~20 ms; `log` skips it). Default true. */
  dateText?: boolean;
  lookup?: SymbolLookup;
}

export function systemFacts(
  dump: Dump,
  vi: VmcoreInfo | undefined,
  kernel: KernelMemory | undefined,
  log: KernelLogRecord[],
  options: SystemFactsOptions,
): SystemFacts {
  const { dumpFile, timeZone, lookup } = options;
  const facts: SystemFacts = { dumpFile };
  const uts = dump.kdump?.utsname ?? (kernel && vi ? utsFromMemory(kernel, vi) : undefined);
  if (uts) {
    if (uts.release) facts.release = uts.release;
    if (uts.version) facts.version = uts.version;
    if (uts.machine) facts.machine = uts.machine;
    if (uts.nodename) facts.nodename = uts.nodename;
  }
  facts.release ??= vi?.osRelease;
  const seconds =
    dump.kdump && dump.kdump.timestampSec > 0n ? Number(dump.kdump.timestampSec) : vi?.crashTime;
  if (seconds !== undefined) {
    facts.dumpDate = new Date(seconds * 1000).toISOString();
    if (options.dateText !== false) facts.dumpDateText = formatCrashDate(seconds, timeZone);
  }
  const nrCpus = dump.kdump?.nrCpus;
  facts.cpus = nrCpus && nrCpus > 0 ? nrCpus : dump.notes.prstatus.length || undefined;
  // Only the kernel's own count: the dump's RAM bitmap leaves out the crashkernel reservation.
  const memory = memoryFromLog(log);
  if (memory !== undefined) facts.memoryBytes = memory;
  const last = log[log.length - 1];
  const lastSeconds = last ? Number(last.tsNsec / 1000000n) / 1000 : undefined;
  if (lastSeconds !== undefined) facts.uptimeSeconds = Math.floor(lastSeconds);
  if (kernel && lookup) Object.assign(facts, symbolFacts(kernel, lookup, log));
  if (dump.info.dumpLevel !== undefined) facts.dumpLevel = dump.info.dumpLevel;
  // As crash: a kdump dump filtered by makedumpfile -d; an ELF dump carries no dump level.
  facts.partialDump = (dump.info.dumpLevel ?? 0) > 0;
  const commandLine = log.find((r) => r.text.startsWith('Kernel command line: '));
  if (commandLine) facts.commandLine = commandLine.text.slice('Kernel command line: '.length).trim();
  // crash prints cpu_khz / 1000; the kernel logs the same calibration at boot.
  const mhz = log.map((r) => /^tsc: Detected (\d+)\.\d+ MHz processor/.exec(r.text)).find((m) => m);
  if (mhz) facts.cpuMhz = Number(mhz[1]);
  const hardware = log.find((r) => r.text.startsWith('Hardware name: '));
  if (hardware) facts.hardware = hardware.text.slice('Hardware name: '.length).trim();

  const panic = findPanic(log);
  if (panic) {
    facts.panic = panic.message;
    const evidence: Evidence[] = [
      { source: 'dump', text: panic.message, note: `kernel log record ${panic.record + 1}` },
    ];
    if (panic.cpu !== undefined) {
      facts.panicCpu = panic.cpu;
      const note = dump.notes.prstatus[panic.cpu];
      if (note && (panic.pid === undefined || note.pid === panic.pid)) {
        evidence.push({
          source: 'dump',
          cpu: panic.cpu,
          pid: note.pid,
          note: `NT_PRSTATUS of CPU ${panic.cpu} (pid ${note.pid})`,
        });
      }
    }
    if (panic.pid !== undefined) facts.panicPid = panic.pid;
    if (panic.comm !== undefined) facts.panicComm = panic.comm;
    facts.evidence = evidence;
  }
  const taint = panic ? taintNear(log, panic.record) : undefined;
  if (taint) facts.taint = taint;
  return facts;
}

function utsFromMemory(kernel: KernelMemory, vi: VmcoreInfo) {
  const ns = vi.symbols.get('init_uts_ns');
  if (ns === undefined) return undefined;
  const base = ns + BigInt(vi.offsets.get('uts_namespace.name') ?? 0);
  const field = (i: number): string => {
    try {
      return kernel.readCString(base + BigInt(i) * UTS_LEN, Number(UTS_LEN));
    } catch {
      return '';
    }
  };
  return { sysname: field(0), nodename: field(1), release: field(2), version: field(3), machine: field(4) };
}

/** `Memory: 207544K/654828K available (…)`: the second number is all RAM the kernel manages. */
export function memoryFromLog(log: KernelLogRecord[]): number | undefined {
  for (const r of log) {
    const m = /^Memory: \d+K\/(\d+)K available/.exec(r.text);
    if (m) return Number(m[1]) * 1024;
  }
  return undefined;
}

const PANIC_LINE = /^Kernel panic - not syncing: /;
const OTHER_HEADLINES = [
  /^Oops: /,
  /^BUG: unable to handle/,
  /^kernel BUG at /,
  /^general protection fault/,
  /^BUG: /,
];
const CPU_LINE = /^CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (\S+)/;

/** The panic message as crash's sys shows it: the last panic() line, else the first oops-like line. */
export function findPanic(log: KernelLogRecord[]): PanicFacts | undefined {
  let at = -1;
  for (let i = log.length - 1; i >= 0; i--) {
    if (PANIC_LINE.test(log[i]!.text)) {
      at = i;
      break;
    }
  }
  let checkLog = false;
  if (at < 0) {
    for (const pattern of OTHER_HEADLINES) {
      at = log.findIndex((r) => pattern.test(r.text));
      if (at >= 0) break;
    }
    checkLog = true;
  }
  if (at < 0) return undefined;
  const message = log[at]!.text.split('\n')[0]!.trim();
  const facts: PanicFacts = { message, checkLog, record: at };
  for (let i = at + 1; i < Math.min(log.length, at + 8); i++) {
    const m = CPU_LINE.exec(log[i]!.text);
    if (m) {
      facts.cpu = Number(m[1]);
      facts.pid = Number(m[2]);
      facts.comm = m[3]!;
      break;
    }
  }
  return facts;
}

function taintNear(log: KernelLogRecord[], at: number): string | undefined {
  for (let i = at; i < Math.min(log.length, at + 8); i++) {
    const m =
      /Tainted: ([A-Z ]+?)\s{2,}\d/.exec(log[i]!.text) ?? /Tainted: ([A-Z][A-Z ]*)/.exec(log[i]!.text);
    if (m) return m[1]!.trim();
  }
  return undefined;
}

/** The facts crash computes from symbols: uptime from jiffies, load average from avenrun. */
export function symbolFacts(
  kernel: KernelMemory,
  lookup: SymbolLookup,
  log: KernelLogRecord[],
): Pick<SystemFacts, 'uptimeSeconds' | 'loadAverage'> {
  const facts: Pick<SystemFacts, 'uptimeSeconds' | 'loadAverage'> = {};
  const last = log[log.length - 1];
  const lastSeconds = last ? Number(last.tsNsec / 1000000n) / 1000 : undefined;
  const jiffies = jiffiesUptime(kernel, lookup, lastSeconds);
  if (jiffies !== undefined) facts.uptimeSeconds = Math.floor(jiffies);
  const load = loadAverage(kernel, lookup);
  if (load) facts.loadAverage = load;
  return facts;
}

const HZ_CANDIDATES = [100, 250, 300, 1000];

/**
 * crash's UPTIME is (jiffies − INITIAL_JIFFIES) / HZ. HZ is in no VMCOREINFO, so take the
 * candidate whose uptime best matches the last log timestamp without passing it (jiffies lag
 * local_clock under load, they never lead it by more than a tick).
 */
function jiffiesUptime(
  kernel: KernelMemory,
  lookup: SymbolLookup,
  lastSeconds: number | undefined,
): number | undefined {
  const at = lookup('jiffies_64') ?? lookup('jiffies');
  if (at === undefined || lastSeconds === undefined) return undefined;
  const jiffies = kernel.tryReadVirt(at, 8);
  if (!jiffies) return undefined;
  const value = new DataView(jiffies.buffer, jiffies.byteOffset, 8).getBigUint64(0, true);
  let best: number | undefined;
  for (const hz of HZ_CANDIDATES) {
    const initial = BigInt.asUintN(32, BigInt(-300 * hz));
    const uptime = Number(BigInt.asUintN(64, value - initial)) / hz;
    if (uptime > lastSeconds + 1 / hz) continue;
    if (best === undefined || lastSeconds - uptime < lastSeconds - best) best = uptime;
  }
  return best;
}

/** avenrun[3], fixed point with FSHIFT 11 (FIXED_1 = 2048), printed as crash does ("0.38, 0.08, 0.03"). */
function loadAverage(kernel: KernelMemory, lookup: SymbolLookup): string | undefined {
  const at = lookup('avenrun');
  const bytes = at === undefined ? undefined : kernel.tryReadVirt(at, 24);
  if (!bytes) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 24);
  const parts = [0, 1, 2].map((i) => {
    // As /proc/loadavg (and crash) print it: rounded by FIXED_1/200 before splitting.
    const v = Number(view.getBigUint64(i * 8, true)) + 10;
    const whole = Math.floor(v / 2048);
    const frac = Math.floor(((v % 2048) * 100) / 2048);
    return `${whole}.${String(frac).padStart(2, '0')}`;
  });
  return parts.join(', ');
}

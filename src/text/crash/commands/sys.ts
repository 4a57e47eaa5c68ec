/**
 * `sys`: KERNEL, DUMPFILE ([PARTIAL DUMP]), CPUS, DATE, UPTIME, LOAD AVERAGE, TASKS, NODENAME,
 * RELEASE, VERSION, MACHINE (with MHz), MEMORY, PANIC, and the panic task (PID, COMMAND, TASK with
 * THREAD_INFO, CPU, STATE).
 */

import type { SystemFacts } from '../../../model/index.js';
import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import type { Line } from '../lines.js';
import type { CommandParser } from '../parser.js';
import { SYS_LINE, SYS_START } from '../shapes.js';

export const sysParser: CommandParser = {
  name: 'sys',
  forCommand: (words) =>
    (words[0] ?? '').toLowerCase() === 'sys' && (words.length === 1 || words[1] === '-t'),
  startsOutput: (lines, i) => SYS_START.test(lines[i]!.text),
  continues: (line) => SYS_LINE.test(line.text) && !/TASK:.*COMMAND:/.test(line.text),
  parse: (block, out) => parseSys(block, out),
};

const TASK_STATES: Record<string, string> = {
  TASK_RUNNING: 'RU',
  TASK_INTERRUPTIBLE: 'IN',
  TASK_UNINTERRUPTIBLE: 'UN',
  TASK_STOPPED: 'ST',
  TASK_TRACED: 'TR',
  EXIT_ZOMBIE: 'ZO',
  EXIT_DEAD: 'DE',
  TASK_DEAD: 'DE',
  TASK_WAKEKILL: 'WA',
  TASK_PARKED: 'PA',
  TASK_IDLE: 'ID',
  TASK_NEW: 'NE',
};

const UNIT: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?B)?$/i.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (UNIT[(m[2] ?? 'B').toUpperCase()] ?? 1));
}

/** `1 days, 09:43:06` → 120186; `00:00:19` → 19. */
export function parseUptime(text: string): number | undefined {
  const m = /^(?:(\d+)\s+days?,\s*)?(\d+):(\d\d):(\d\d)/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** crash's DATE in UTC (`Fri Nov 27 05:49:16 UTC 2026`) → ISO-8601; other zones stay verbatim only. */
export function parseDumpDate(text: string): string | undefined {
  const m = /^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d\d):(\d\d):(\d\d)\s+(?:UTC|GMT)\s+(\d{4})$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]!);
  if (month < 0) return undefined;
  const d = new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function parseSys(block: Block, out: TranscriptBuilder): void {
  const sys = out.crash.system;
  const panicTask: {
    pid?: number;
    task?: bigint;
    threadInfo?: bigint;
    cpu?: number;
    comm?: string;
    state?: string;
  } = {};
  let panicLine: Line | undefined;
  let any = false;
  for (const line of block.lines) {
    const m = SYS_LINE.exec(line.text);
    if (!m) continue;
    const key = m[1]!;
    const value = (m[2] ?? '').trim();
    any = true;
    apply(sys, key, value, panicTask);
    if (key === 'PID' || key === 'TASK' || key === 'COMMAND' || key === 'CPU' || key === 'STATE')
      panicLine ??= line;
  }
  if (!any) return;
  out.systemEvidence(evidenceFor(block, block.lines[0]!, block.lines[block.lines.length - 1]));
  if (panicTask.pid !== undefined) {
    const ev = evidenceFor(block, panicLine ?? block.lines[0]!);
    const isPanic = sys.panic !== undefined && /\(PANIC\)/.test(panicTask.state ?? '(PANIC)');
    out.task(
      {
        pid: panicTask.pid,
        task: panicTask.task,
        threadInfo: panicTask.threadInfo,
        cpu: panicTask.cpu,
        comm: panicTask.comm,
        state: panicTask.state ? TASK_STATES[panicTask.state.split(/\s/)[0]!] : undefined,
        panicking: isPanic ? true : undefined,
      },
      ev,
    );
    if (panicTask.cpu !== undefined && isPanic)
      out.activeTask({
        cpu: panicTask.cpu,
        pid: panicTask.pid,
        ...(panicTask.task !== undefined ? { task: panicTask.task } : {}),
        ...(panicTask.comm !== undefined ? { comm: panicTask.comm } : {}),
        evidence: ev,
      });
  }
}

function unquote(v: string): string {
  const m = /^"(.*)"/.exec(v);
  return m ? m[1]! : v;
}

function apply(sys: SystemFacts, key: string, value: string, panicTask: Record<string, unknown>): void {
  switch (key) {
    case 'KERNEL': {
      sys.kernelFile ??= value.replace(/\s*\[[A-Z ]+\]\s*$/, '').trim();
      if (/\[TAINTED\]/.test(value)) sys.tainted = true;
      break;
    }
    case 'DUMPFILE': {
      sys.dumpFile ??= value.replace(/\s*\[[A-Z ]+\].*$/, '').trim();
      if (/\[PARTIAL DUMP\]/.test(value)) sys.partialDump = true;
      break;
    }
    case 'CPUS': {
      const n = /^(\d+)/.exec(value);
      if (n) sys.cpus ??= Number(n[1]);
      break;
    }
    case 'DATE':
      sys.dumpDateText ??= value;
      if (sys.dumpDate === undefined) {
        const iso = parseDumpDate(value);
        if (iso) sys.dumpDate = iso;
      }
      break;
    case 'UPTIME': {
      const s = parseUptime(value);
      if (s !== undefined) sys.uptimeSeconds ??= s;
      break;
    }
    case 'LOAD AVERAGE':
      sys.loadAverage ??= value;
      break;
    case 'TASKS': {
      const n = /^(\d+)/.exec(value);
      if (n) sys.tasks ??= Number(n[1]);
      break;
    }
    case 'NODENAME':
      sys.nodename ??= value;
      break;
    case 'RELEASE':
      sys.release ??= value;
      break;
    case 'VERSION':
      sys.version ??= value;
      break;
    case 'MACHINE': {
      const m = /^(\S+)(?:\s+\((\d+)\s*Mhz\))?/i.exec(value);
      if (m) {
        sys.machine ??= m[1]!;
        if (m[2]) sys.cpuMhz ??= Number(m[2]);
      }
      break;
    }
    case 'MEMORY': {
      const bytes = parseSize(value);
      if (bytes !== undefined) sys.memoryBytes ??= bytes;
      break;
    }
    case 'PANIC': {
      const panic = unquote(value);
      if (panic !== '') sys.panic ??= panic;
      break;
    }
    case 'PID':
      if (/^\d+$/.test(value)) {
        panicTask.pid = Number(value);
        sys.panicPid ??= Number(value);
      }
      break;
    case 'COMMAND':
      panicTask.comm = unquote(value);
      sys.panicComm ??= unquote(value);
      break;
    case 'TASK': {
      const m = /^([0-9a-f]+)(?:\s+\[THREAD_INFO:\s*([0-9a-f]+)\])?/i.exec(value);
      if (m) {
        panicTask.task = BigInt(`0x${m[1]}`);
        if (m[2]) panicTask.threadInfo = BigInt(`0x${m[2]}`);
      }
      break;
    }
    case 'CPU':
      if (/^\d+$/.test(value)) {
        panicTask.cpu = Number(value);
        sys.panicCpu ??= Number(value);
      }
      break;
    case 'STATE':
      panicTask.state = value;
      break;
  }
}

/** Single-line facts printed around reports: the CPU/task line, hardware, modules, held locks. */

import type { ReportLock } from '../../model/index.js';

export interface CpuLine {
  cpu: number;
  pid: number;
  comm: string;
  /** `Not tainted` or the flags after `Tainted: `. */
  taint?: string;
  release?: string;
  /** `#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2`, what follows the release. */
  version?: string;
}

/**
 * `CPU: 1 PID: 125 Comm: lab_abba_ab/1 Kdump: loaded Tainted: G           OE      6.1.0-56-amd64 #1  Debian…`
 * `CPU: 0 UID: 0 PID: 5825 Comm: syz.0.16 Not tainted 6.12.0-rc1-syzkaller #0`
 */
const CPU_LINE =
  /^\s*CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (.*?)(?: Kdump: loaded)? (Not tainted|Tainted: [A-Z ]*)(.*)$/;

export function parseCpuLine(text: string): CpuLine | undefined {
  if (!text.includes('PID: ') || text.length > 512) return undefined;
  const m = CPU_LINE.exec(text);
  if (!m) return undefined;
  const out: CpuLine = { cpu: Number(m[1]), pid: Number(m[2]), comm: m[3]! };
  out.taint = m[4] === 'Not tainted' ? 'Not tainted' : m[4]!.slice('Tainted: '.length).trim();
  const rest = m[5]!;
  const hash = rest.search(/(?:^| )#\d/);
  const before = (hash < 0 ? rest : rest.slice(0, hash)).trim().split(/\s+/).filter(Boolean);
  const release = [...before].reverse().find((t) => /\d/.test(t)) ?? before[before.length - 1];
  if (release) out.release = release;
  if (hash >= 0) out.version = rest.slice(hash).trim();
  return out;
}

export function parseHardware(text: string): string | undefined {
  const at = text.indexOf('Hardware name: ');
  return at < 0 ? undefined : text.slice(at + 15).trim();
}

export function parseModules(text: string): string[] | undefined {
  const at = text.indexOf('Modules linked in:');
  if (at < 0) return undefined;
  return text
    .slice(at + 18)
    .trim()
    .split(/\s+/)
    .filter((m) => m.length > 0 && m !== '[last' && !m.startsWith('unloaded'))
    .map((m) => m.replace(/\(.*\)$/, '').replace(/\]$/, ''));
}

/** `3 locks held by kworker/0:1/12:` → holder. */
export function parseLocksHeldBy(text: string): { count: number; comm: string; pid: number } | undefined {
  const m = /(\d+) locks? held by (.+)\/(\d+):\s*$/.exec(text);
  return m ? { count: Number(m[1]), comm: m[2]!, pid: Number(m[3]) } : undefined;
}

/** ` #0: ffff88801234 (&mm->mmap_lock){++++}-{3:3}, at: do_user_addr_fault+0x1f/0x90` */
const LOCK_LINE =
  /^\s*#(\d+):\s+(?:([0-9a-f]{8,16})\s+)?\((.+?)\)(?:\{[^}]*\})?(?:-\{[^}]*\})?(?:, at: (?:\[<[0-9a-f]+>\]\s*)?(\S+))?/;

export function parseLockLine(text: string): ReportLock | undefined {
  const m = LOCK_LINE.exec(text);
  if (!m) return undefined;
  const lock: ReportLock = { name: m[3]! };
  if (m[2]) lock.address = BigInt(`0x${m[2]}`);
  if (m[4]) lock.at = m[4];
  return lock;
}

/** `task:udevd           state:D stack:0     pid:5612  tgid:5612  ppid:4302 …` (sched_show_task). */
export function parseTaskLine(text: string): { comm: string; state: string; pid: number } | undefined {
  const m = /^\s*task:(.*?)\s+state:(\S+).*?\bpid:\s*(\d+)/.exec(text);
  return m ? { comm: m[1]!, state: m[2]!, pid: Number(m[3]) } : undefined;
}

/** Lock name and address out of a lockdep scenario line `(&a->lock){+.+.}`. */
export function parseTaskAcquire(text: string): { comm: string; pid: number } | undefined {
  const m = /^\s*(.+)\/(\d+) is trying to acquire lock:/.exec(text);
  return m ? { comm: m[1]!, pid: Number(m[2]) } : undefined;
}

/**
 * Facts a report states in its first lines: the soft-lockup CPU and duration, the hung task and
 * how long it waited, the RCU stall's stalled CPUs, the faulting address, KASAN's access.
 */

import type { Report } from '../../model/index.js';
import { clip } from './headers.js';
import type { TextLine } from './stack.js';

const SOFT_LOCKUP = /soft lockup - CPU#(\d+) stuck for (\d+)s! \[(.*):(\d+)\]/;
const HARD_LOCKUP = /[Hh]ard LOCKUP on cpu (\d+)/;
const HUNG_TASK = /INFO: task (.*):(\d+) blocked (?:in I\/O wait )?for more than (\d+) seconds/;
const RCU_STALLED_CPU = /^(?:rcu:\s*)?\s*(\d+)-[.\w]*: \(/;
const RCU_DETECTED_BY = /\(detected by (\d+), t=\d+ jiffies/;
const KASAN_ACCESS = /(Read|Write) of size (\d+) at addr ([0-9a-f]+) by task (.*)\/(\d+)/;
/** Before 4.13 the address was on the header line and this one had none. */
const KASAN_ACCESS_OLD = /^(Read|Write) of size (\d+) by task (.*)\/(\d+)/;
const KASAN_HEADER_ADDRESS = / at addr ([0-9a-f]{8,16})\b/;
const FAULT_ADDRESS =
  /(?:paging request|page fault for address|NULL pointer dereference|kernel access of user memory)(?: at|,? address:|:)? (?:virtual address )?([0-9a-f]{8,16})\b/;
const NON_CANONICAL = /non-canonical address (0x[0-9a-f]+)/;
/** On KASAN kernels a GPF names the shadow address; this line names the access itself. */
const KASAN_RANGE = /^KASAN: [\w -]+ in range \[(0x[0-9a-f]+)-0x[0-9a-f]+\]/;
const PF_ACCESS = /^#PF: (supervisor|user) (read|write|instruction fetch) access in (kernel|user) mode/;
const PF_ERROR = /^#PF: error_code\((0x[0-9a-f]+)\)/;
const OOPS_CODE = /^Oops: ([0-9a-f]{4}) \[#\d+\]/;
/** `kernel BUG at f.c:12!`, `WARNING: CPU: 1 PID: 2 at f.c:12 fn+0x…` (4.x+), `WARNING: at f.c:12 fn()` (3.x). */
const BUG_AT =
  /(?:kernel BUG|WARNING:(?: CPU: \d+ PID: \d+)?) at ([^\s!]+:\d+)(?:!| ([\w.]+)(?:\+0x([0-9a-f]+)\/0x[0-9a-f]+|\(\)))?/;
const SCHED_ATOMIC = /scheduling while atomic: (.*)\/(\d+)\/0x/;
const INVALID_CONTEXT = /in_atomic\(\): \d+, irqs_disabled\(\): \d+, .*pid: (\d+), name: (.*)$/;

const KASAN_OBJECT = /^The buggy address belongs to the object at ([0-9a-f]{8,16})/;
const KASAN_CACHE = /which belongs to the cache (\S+) of size (\d+)/;
const KASAN_LOCATED = /^The buggy address is located (\d+) bytes (inside|to the right|to the left) of/;
/** ` 64-byte region [` (≤ 6.0) or ` allocated 40-byte region [` (6.1+: the size asked for, not the slot's). */
const KASAN_REGION = /(?:allocated |freed )?(\d+)-byte region \[/;
/** How far into a KASAN report its object description is looked for (after three stacks). */
const KASAN_LINES = 400;

/** How far into a report its header facts are looked for. */
const HEAD_LINES = 64;

export function headerFacts(report: Report, lines: TextLine[]): void {
  const header = clip(report.header);
  let m = SOFT_LOCKUP.exec(header);
  if (m) {
    report.cpu = Number(m[1]);
    report.stuckSeconds = Number(m[2]);
    report.comm = m[3]!;
    report.pid = Number(m[4]);
  }
  m = HARD_LOCKUP.exec(header);
  if (m) report.cpu = Number(m[1]);
  m = HUNG_TASK.exec(header);
  if (m) {
    report.comm = m[1]!;
    report.pid = Number(m[2]);
    report.stuckSeconds = Number(m[3]);
  }
  m = SCHED_ATOMIC.exec(header);
  if (m) {
    report.comm = m[1]!;
    report.pid = Number(m[2]);
  }
  if (report.match?.kindHint === 'kasan') kasanObject(report, lines);
  const bugAt = BUG_AT.exec(header);
  if (bugAt) {
    report.bugAt = bugAt[1]!;
    // The warning's own function is where RIP was when no `RIP:` line says so (3.x/4.x WARN).
    if (bugAt[2] && report.ripFunction === undefined) {
      report.ripFunction = bugAt[2];
      if (bugAt[3]) report.ripOffset = Number.parseInt(bugAt[3], 16);
    }
  }
  const isRcu = report.match?.kindHint === 'rcu-stall';
  const selfDetected = isRcu && header.includes('self-detected');
  for (let i = 0; i < Math.min(lines.length, HEAD_LINES); i++) {
    const text = lines[i]!.text;
    if (isRcu && i > 0) {
      const cpu = RCU_STALLED_CPU.exec(text);
      if (cpu) {
        const n = Number(cpu[1]);
        report.stalledCpus ??= [];
        if (!report.stalledCpus.includes(n)) report.stalledCpus.push(n);
        if (selfDetected && report.cpu === undefined) report.cpu = n;
        continue;
      }
    }
    if (report.faultAddress === undefined && (text.includes('address') || text.includes(' at '))) {
      const fault = FAULT_ADDRESS.exec(text) ?? NON_CANONICAL.exec(text);
      if (fault) report.faultAddress = BigInt(fault[1]!.startsWith('0x') ? fault[1]! : `0x${fault[1]}`);
    }
    if (!report.access && text.includes(' of size ')) {
      const a = KASAN_ACCESS.exec(text);
      const old = a ? null : KASAN_ACCESS_OLD.exec(text);
      if (a) {
        report.access = { kind: a[1] === 'Read' ? 'read' : 'write', size: Number(a[2]) };
        report.faultAddress = BigInt(`0x${a[3]}`);
        report.comm ??= a[4]!;
        report.pid ??= Number(a[5]);
      } else if (old) {
        report.access = { kind: old[1] === 'Read' ? 'read' : 'write', size: Number(old[2]) };
        const at = KASAN_HEADER_ADDRESS.exec(header);
        if (at) report.faultAddress = BigInt(`0x${at[1]}`);
        report.comm ??= old[3]!;
        report.pid ??= Number(old[4]);
      }
    }
    if (text.startsWith('#PF: ') || text.startsWith('Oops: ')) pageFaultFacts(report, text);
    if (text.startsWith('KASAN: ') && text.includes(' in range [')) {
      const range = KASAN_RANGE.exec(text);
      if (range) report.faultAddress = BigInt(range[1]!);
    }
    if (report.pid === undefined && text.includes('in_atomic()')) {
      const c = INVALID_CONTEXT.exec(text);
      if (c) {
        report.pid = Number(c[1]);
        report.comm = c[2]!.trim();
      }
    }
    if (isRcu && report.cpu === undefined && !selfDetected && text.includes('detected by')) {
      const by = RCU_DETECTED_BY.exec(text);
      if (by) report.evidence = { source: 'log', note: `stall detected by CPU ${by[1]}` };
    }
  }
}

/** x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h): P, W, U, …, I (fetch). */
const PF_PRESENT = 1;
const PF_WRITE = 2;
const PF_USER = 4;
const PF_FETCH = 16;

function pageFaultFacts(report: Report, text: string): void {
  const access = PF_ACCESS.exec(text);
  if (access) {
    report.pageFault ??= {};
    const pf = report.pageFault;
    pf.access = access[2] === 'instruction fetch' ? 'fetch' : (access[2] as 'read' | 'write');
    pf.userMode = access[3] === 'user';
    return;
  }
  const code = PF_ERROR.exec(text) ?? (report.faultAddress !== undefined ? OOPS_CODE.exec(text) : null);
  if (!code || report.pageFault?.errorCode !== undefined) return;
  report.pageFault ??= {};
  const pf = report.pageFault;
  const bits = Number.parseInt(code[1]!, 16);
  pf.errorCode = bits;
  pf.notPresent = (bits & PF_PRESENT) === 0;
  pf.access ??= bits & PF_FETCH ? 'fetch' : bits & PF_WRITE ? 'write' : 'read';
  pf.userMode ??= (bits & PF_USER) !== 0;
}

function kasanObject(report: Report, lines: TextLine[]): void {
  for (let i = 0; i < Math.min(lines.length, KASAN_LINES); i++) {
    const text = lines[i]!.text;
    if (!text.startsWith('The buggy address ')) continue;
    const object = KASAN_OBJECT.exec(text);
    if (object) {
      report.kasanObject = { address: BigInt(`0x${object[1]}`) };
      const cache = KASAN_CACHE.exec(text) ?? KASAN_CACHE.exec(lines[i + 1]?.text ?? '');
      if (cache) {
        report.kasanObject.cache = cache[1]!;
        report.kasanObject.size = Number(cache[2]);
      }
      continue;
    }
    const located = KASAN_LOCATED.exec(text);
    if (located && report.kasanObject) {
      report.kasanObject.distance = Number(located[1]);
      report.kasanObject.relation =
        located[2] === 'inside' ? 'inside' : located[2] === 'to the right' ? 'right' : 'left';
      const region = KASAN_REGION.exec(text) ?? KASAN_REGION.exec(lines[i + 1]?.text ?? '');
      if (region) report.kasanObject.size = Number(region[1]);
      return;
    }
  }
}

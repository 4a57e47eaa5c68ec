/**
 * A lockdep dependency report's structure (kernel/locking/lockdep.c print_circular_bug and
 * friends): the task, the lock it tries to take and where, the lock it already holds and where,
 * and the recorded dependency chain (`-> #N (lock){…}:` headers, newest first). Read into the
 * report's locks with their roles, and `lockChain`.
 */

import type { Report, ReportLock } from '../../model/index.js';
import type { TextLine } from './stack.js';

const TRYING = /^\s*(.+)\/(\d+) is trying to acquire lock:/;
const HOLDING = /^\s*but task is already holding lock:/;
/** `(&mm->mmap_lock){++++}-{3:3}, at: foo+0x1/0x2` or `ffff888…  (&lock){…}, at: [<…>] foo+0x…`. */
const LOCK =
  /^\s*(?:([0-9a-f]{8,16})\s+)?\((.+?)\)(?:\{[^}]*\})?(?:-\{[^}]*\})?(?:, at: (?:\[<[0-9a-f]+>\]\s*)?(\S+))?/;
const CHAIN = /^\s*-> #(\d+) \((.+?)\)(?:\{[^}]*\})?/;
/** How far into the report the structure is looked for (the chain's stacks are long). */
const MAX_LINES = 600;

export function lockdepFacts(report: Report, lines: TextLine[]): void {
  if (!/locking dependency|lock inversion|recursive locking|lock order detected/.test(report.header)) return;
  let expect: 'wanted' | 'held' | undefined;
  const chain: { n: number; name: string }[] = [];
  for (let i = 0; i < Math.min(lines.length, MAX_LINES); i++) {
    const { text, line } = lines[i]!;
    if (expect) {
      const m = LOCK.exec(text);
      if (m) {
        const lock: ReportLock = { name: m[2]!, role: expect };
        if (m[1]) lock.address = BigInt(`0x${m[1]}`);
        if (m[3]) lock.at = m[3];
        if (line !== undefined) lock.evidence = { source: 'log', line, text: text.trim() };
        report.locks ??= [];
        report.locks.push(lock);
        expect = undefined;
        continue;
      }
      if (text.trim() !== '') expect = undefined;
    }
    const trying = TRYING.exec(text);
    if (trying) {
      report.comm ??= trying[1]!;
      report.pid ??= Number(trying[2]);
      expect = 'wanted';
      continue;
    }
    if (HOLDING.test(text)) {
      expect = 'held';
      continue;
    }
    const link = CHAIN.exec(text);
    if (link) chain.push({ n: Number(link[1]), name: link[2]! });
  }
  // `-> #0` is the lock being taken now; the recorded order is #0 taken before #1 before #2 … (the
  // report's "Chain exists of: #0 --> #1 --> … --> #N" line), which the task's #N → #0 reverses.
  if (chain.length > 1) report.lockChain = chain.sort((a, b) => a.n - b.n).map((c) => c.name);
}

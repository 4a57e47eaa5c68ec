/**
 * crash's `bt` output for a model Stack, so that eyes and greps trained on crash carry over:
 * the `PID: … TASK: … CPU: … COMMAND: "…"` header, ` #N [stack slot] func at addr [module]`
 * frames, `[exception RIP: func+off]` with crash's register block, `--- <IRQ stack> ---` markers when
 * a backtrace leaves a stack, and `bt -f` words. Unreliable frames (stack-scan guesses) carry `?`.
 */

import type { ExceptionFrame, Frame, Stack } from '../../model/stack.js';

const hex = (v: bigint | undefined, width = 16): string => (v ?? 0n).toString(16).padStart(width, '0');

export function btHeader(s: { pid?: number; task?: bigint; cpu?: number; comm?: string }): string {
  const pid = String(s.pid ?? '?').padEnd(7);
  const cpu = String(s.cpu ?? '-').padEnd(3);
  return `PID: ${pid}  TASK: ${hex(s.task)}  CPU: ${cpu}  COMMAND: "${s.comm ?? ''}"`;
}

function frameLine(f: Frame, n: number): string {
  const num = `#${n}`.padStart(3);
  const name = f.fn ?? (f.address !== undefined ? hex(f.address) : '??');
  const mod = f.module ? ` [${f.module}]` : '';
  const unsure = f.reliable ? '' : '? ';
  return `${num} [${hex(f.stackAddress)}] ${unsure}${name} at ${hex(f.address)}${mod}`;
}

const REG_ROWS: [string, string][][] = [
  [
    ['RIP', 'rip'],
    ['RSP', 'rsp'],
    ['RFLAGS', 'rflags'],
  ],
  [
    ['RAX', 'rax'],
    ['RBX', 'rbx'],
    ['RCX', 'rcx'],
  ],
  [
    ['RDX', 'rdx'],
    ['RSI', 'rsi'],
    ['RDI', 'rdi'],
  ],
  [
    ['RBP', 'rbp'],
    ['R8', 'r8'],
    ['R9', 'r9'],
  ],
  [
    ['R10', 'r10'],
    ['R11', 'r11'],
    ['R12', 'r12'],
  ],
  [
    ['R13', 'r13'],
    ['R14', 'r14'],
    ['R15', 'r15'],
  ],
];

/** crash's x86_64 register block (4-space indent; RFLAGS 8 digits, CS/SS 4). */
export function registerBlock(values: Record<string, bigint>): string[] {
  const lines: string[] = [];
  for (const row of REG_ROWS) {
    if (!row.some(([, k]) => values[k] !== undefined)) continue;
    const cells = row.map(
      ([label, key]) => `${label.padStart(3)}: ${hex(values[key], key === 'rflags' ? 8 : 16)}`,
    );
    lines.push(`    ${cells.join('  ')}`);
  }
  if (values.orig_rax !== undefined || values.cs !== undefined) {
    lines.push(`    ORIG_RAX: ${hex(values.orig_rax)}  CS: ${hex(values.cs, 4)}  SS: ${hex(values.ss, 4)}`);
  }
  return lines;
}

/** The stack a frame lies on: the unwinder names it; a transcript's frames have only their context. */
function stackOf(f: Frame): string | undefined {
  if (f.stack) return f.stack;
  return f.context === 'nmi'
    ? 'NMI exception stack'
    : f.context === 'irq'
      ? 'IRQ stack'
      : f.context === 'task'
        ? 'task stack'
        : undefined;
}

export function exceptionLines(e: ExceptionFrame): string[] {
  const out: string[] = [];
  // crash names the RIP only when it is a kernel address (user-mode frames show the bare block).
  if ((e.regs.values.rip ?? 0n) >= 0xffff800000000000n) {
    const where = e.ripFunction ? `${e.ripFunction}+${e.ripOffset ?? 0}` : 'no symbolic reference';
    out.push(`    [exception RIP: ${where}]`);
  }
  out.push(...registerBlock(e.regs.values));
  if (e.bogus) out.push('WARNING: possibly bogus exception frame');
  return out;
}

/** One stack as crash's `bt` prints it (header included when `header`), with `bt -f` words when present. */
export function formatBt(stack: Stack, options: { header?: boolean; words?: boolean } = {}): string {
  const out: string[] = [];
  if (options.header !== false) out.push(btHeader(stack));
  const exceptionsAt = new Map<number, ExceptionFrame[]>();
  for (const e of stack.exceptions)
    exceptionsAt.set(e.beforeFrame, [...(exceptionsAt.get(e.beforeFrame) ?? []), e]);
  const wordsOf = new Map((stack.frameWords ?? []).map((w) => [w.frame, w.words]));
  stack.frames.forEach((f, i) => {
    const prev = stack.frames[i - 1];
    for (const e of exceptionsAt.get(i) ?? []) out.push(...exceptionLines(e));
    const from = prev ? stackOf(prev) : undefined;
    const to = stackOf(f);
    if (from && to && from !== to) out.push(`--- <${from}> ---`);
    out.push(frameLine(f, i));
    if (options.words) {
      const words = wordsOf.get(i) ?? [];
      for (let k = 0; k < words.length; k += 2) {
        const pair = words.slice(k, k + 2);
        out.push(`    ${hex(pair[0]!.address)}: ${pair.map((w) => hex(w.value)).join(' ')} `);
      }
    }
  });
  for (const e of exceptionsAt.get(stack.frames.length) ?? []) out.push(...exceptionLines(e));
  if (stack.frames.length === 0) out.push('    (no frames: the stack could not be unwound)');
  return out.join('\n');
}

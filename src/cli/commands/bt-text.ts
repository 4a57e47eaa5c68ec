/**
 * `ktriage bt -t`: crash's `bt -t` for a model Stack unwound from a dump — the header, `START:`,
 * then one line per stack word holding a kernel text address, `  [stack addr] func at addr [module]`,
 * `?` before the words that follow no call instruction (not return addresses: function pointers,
 * data), the register blocks and `--- <… stack> ---` lines where the backtrace crossed them.
 */

import { STACK_LABELS } from '../../kernel/unwind/stack-memory.js';
import type { ScanRoute, TextScan } from '../../kernel/unwind/text-scan.js';
import type { Stack } from '../../model/stack.js';
import { btHeader, exceptionLines } from './bt-format.js';

const hex = (v: bigint): string => v.toString(16).padStart(16, '0');

/** The frames and pt_regs of an unwound Stack, as the text scan follows them. */
export function routeOf(stack: Stack): ScanRoute {
  return {
    frames: stack.frames.map((f) => ({
      slot: f.stackAddress ?? 0n,
      pc: f.address ?? 0n,
      reliable: f.reliable,
    })),
    exceptions: stack.exceptions.map((e) => {
      const address = e.evidence?.address ?? e.regs.evidence?.address;
      return {
        beforeFrame: e.beforeFrame,
        ...(address !== undefined ? { address } : {}),
        regs: e.regs.values,
      };
    }),
  };
}

export function formatBtText(stack: Stack, scan: TextScan): string {
  const out = [btHeader(stack)];
  if (scan.start)
    out.push(`${' '.repeat(14)}START: ${scan.start.fn ?? hex(scan.start.pc)} at ${hex(scan.start.pc)}`);
  for (const item of scan.items) {
    if (item.kind === 'leave') out.push(`--- <${STACK_LABELS[item.stack]}> ---`);
    else if (item.kind === 'exception') {
      const e = stack.exceptions[item.index];
      if (e) out.push(...exceptionLines(e));
    } else {
      const mod = item.module ? ` [${item.module}]` : '';
      out.push(
        `  [${hex(item.slot)}] ${item.sure ? '' : '? '}${item.fn ?? hex(item.value)} at ${hex(item.value)}${mod}`,
      );
    }
  }
  if (scan.items.length === 0) out.push('    (no stack words: the stack could not be read)');
  return out.join('\n');
}

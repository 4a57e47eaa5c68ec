/**
 * Is a report's text damaged? A report that promises a stack ("Call Trace:", "backtrace:",
 * "Allocated by task") must show frames after it; a report of a kind that prints a stack must have
 * one at all. What this returns is a reason, for the classifier's "corrupted" flag.
 */

import { FRAME_LINES, RISCV_STACK_START, STACK_STARTS } from './patterns.js';

/** Frames are looked for this many lines after a stack header. */
const LOOKAHEAD = 15;

export function traceDamage(lines: string[]): string | undefined {
  let hasTrace = false;
  for (const key of STACK_STARTS) {
    const at = lines.findIndex((l) => key.test(l));
    if (at < 0) continue;
    // The header, at least two lines and the end of the text.
    if (lines.length - at + 1 < 4) return 'call trace is missed';
    let damaged = true;
    for (let i = at + 1; i <= at + LOOKAHEAD && i <= lines.length; i++) {
      const line = lines[i] ?? '';
      if (STACK_STARTS.some((re) => re.test(line))) break;
      if (line.includes('(stack is not available)') || FRAME_LINES.some((re) => re.test(line))) {
        hasTrace = true;
        damaged = false;
        break;
      }
    }
    if (damaged && key !== RISCV_STACK_START) return 'no frames in a stack trace';
  }
  return hasTrace ? undefined : 'no stack trace in report';
}

/**
 * Is a report's text damaged? A report that promises a stack ("Call Trace:", "backtrace:",
 * "Allocated by task") must show frames after it; a report of a kind that prints a stack must have
 * one at all. What this returns is a reason, for the classifier's "corrupted" flag.
 */

import { FRAME_LINES, RISCV_STACK_START, STACK_STARTS } from './patterns.js';

/** Frames are looked for this many lines after a stack header. */
const LOOKAHEAD = 15;

const ANY_STACK_START = new RegExp(STACK_STARTS.map((re) => re.source).join('|'));

export function traceDamage(lines: string[]): string | undefined {
  // First line of each stack header, found in one pass.
  const firstAt = new Array<number>(STACK_STARTS.length).fill(-1);
  let pending = STACK_STARTS.length;
  for (let i = 0; i < lines.length && pending > 0; i++) {
    const line = lines[i]!;
    if (!ANY_STACK_START.test(line)) continue;
    STACK_STARTS.forEach((re, k) => {
      if (firstAt[k] === -1 && re.test(line)) {
        firstAt[k] = i;
        pending--;
      }
    });
  }
  let hasTrace = false;
  for (let k = 0; k < STACK_STARTS.length; k++) {
    const at = firstAt[k]!;
    if (at < 0) continue;
    // The header, at least two lines and the end of the text.
    if (lines.length - at + 1 < 4) return 'call trace is missed';
    let damaged = true;
    for (let i = at + 1; i <= at + LOOKAHEAD && i <= lines.length; i++) {
      const line = lines[i] ?? '';
      if (ANY_STACK_START.test(line)) break;
      if (line.includes('(stack is not available)') || FRAME_LINES.some((re) => re.test(line))) {
        hasTrace = true;
        damaged = false;
        break;
      }
    }
    if (damaged && STACK_STARTS[k] !== RISCV_STACK_START) return 'no frames in a stack trace';
  }
  return hasTrace ? undefined : 'no stack trace in report';
}

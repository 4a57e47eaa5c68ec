/**
 * Which records open a report. One cheap screening pass (does the line contain any header
 * literal's rarest part?) before the per-group checks, so the common line costs one regex test.
 */

import { REPORT_TABLE } from './table.js';
import type { HeaderGroup } from './table-types.js';

/**
 * Screening: two regexes that every header literal and every marker the log index looks for
 * passes (test/console/screen.test.ts checks that). Split in two because V8 scans a short
 * alternation of literals that start with uppercase letters much faster than one long mixed one.
 */
export const SCREEN_UPPER =
  /BUG|WARNING:|INFO:|LOCKUP|Unable to handle|Kernel panic|PANIC|UBSAN:|Booting the kernel|VFS: |Internal error:|Unhandled fault:|Alignment trap:|SYZFA|NMI|Disabling lock debugging|FAULT_|Oops: |VM disconnected/;
export const SCREEN_LOWER =
  /protection fault|gment: |vide|int3: |pcode|panic|gister_netdevice|fatal error|killer|failure/;

/** Patterns look at this much of a line: printk lines are < 1 KiB, longer ones are noise. */
export const MAX_MATCH_LINE = 4096;

/** The part of a line patterns look at. */
export const clip = (text: string): string =>
  text.length > MAX_MATCH_LINE ? text.slice(0, MAX_MATCH_LINE) : text;

export const passesScreen = (line: string): boolean => SCREEN_UPPER.test(line) || SCREEN_LOWER.test(line);

/** The group whose header this line carries, unless the line is one of that group's look-alikes. */
export function headerGroupOf(text: string): HeaderGroup | undefined {
  const line = text.length > MAX_MATCH_LINE ? text.slice(0, MAX_MATCH_LINE) : text;
  return passesScreen(line) ? groupOfScreened(line) : undefined;
}

/** Same, for a line already known to pass the screen. */
export function groupOfScreened(line: string): HeaderGroup | undefined {
  for (const group of REPORT_TABLE) {
    if (!line.includes(group.header)) continue;
    if (group.suppress.some((re) => re.test(line))) continue;
    return group;
  }
  return undefined;
}

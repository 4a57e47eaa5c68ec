/**
 * Which records open a report. One cheap screening pass (does the line contain any header
 * literal's rarest part?) before the per-group checks, so the common line costs one regex test.
 */

import type { LogRecord } from '../../model/index.js';
import { CONTINUATION_HEADERS, REPORT_TABLE, STACK_PRINTING_NOTICES } from './table.js';
import type { HeaderGroup } from './table-types.js';

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Any header literal at all: the screening test. */
const ANY_HEADER = new RegExp(REPORT_TABLE.map((g) => escapeRegex(g.header)).join('|'));

/** Patterns (and how long a line they look at) used on record texts. */
export const MAX_MATCH_LINE = 4096;

/** The group whose header this line carries, unless the line is one of that group's look-alikes. */
export function headerGroupOf(text: string): HeaderGroup | undefined {
  const line = text.length > MAX_MATCH_LINE ? text.slice(0, MAX_MATCH_LINE) : text;
  if (!ANY_HEADER.test(line)) return undefined;
  for (const group of REPORT_TABLE) {
    if (!line.includes(group.header)) continue;
    if (group.suppress.some((re) => re.test(line))) continue;
    return group;
  }
  return undefined;
}

/** Does this line start a second report (ending the current one), as opposed to belonging to it? */
export function opensAnotherReport(text: string): boolean {
  const line = text.length > MAX_MATCH_LINE ? text.slice(0, MAX_MATCH_LINE) : text;
  if (STACK_PRINTING_NOTICES.some((n) => line.includes(n))) return true;
  if (!headerGroupOf(line)) return false;
  return !CONTINUATION_HEADERS.some((re) => re.test(line));
}

/**
 * The printing context of a record, as the report region understands it: the caller id when
 * printed (`T123`, `C1`), `console` for a stamped line without one, '' for bare text.
 */
export function contextOf(record: LogRecord): string {
  if (record.caller) return (record.caller.kind === 'task' ? 'T' : 'C') + record.caller.id;
  return record.time !== undefined || record.wallTime !== undefined ? 'console' : '';
}

export const isCpuContext = (context: string): boolean => context.startsWith('C');

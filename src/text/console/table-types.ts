/** Shapes of the report table (see table.ts) and the stack specs its rows share. */

import type { CrashKind, FrameRule } from '../../model/index.js';
import { CALL_TRACE, pattern, RIP_LINE } from './patterns.js';

export type StackPart = RegExp | 'trace';

export interface StackSpec {
  parts: StackPart[];
  /** Tried when `parts` yields no frame. */
  fallback?: StackPart[];
  /** Row-specific function skip patterns (regex sources, matched anywhere in the name). */
  skip?: string[];
  rule?: FrameRule;
}

export interface TitleRow {
  id: string;
  title: RegExp;
  report?: RegExp[];
  template: string;
  alt?: string[];
  stack?: StackSpec;
  /** The report normally has no stack trace; do not call it damaged for lacking one. */
  noStackTrace?: boolean;
  /** Matching this row means the real report is missing or cut. */
  corrupted?: boolean;
  kind: CrashKind;
}

export interface HeaderGroup {
  /** Literal that a line must contain to open a report of this group. */
  header: string;
  /** Lines containing the header that are not reports. */
  suppress: RegExp[];
  /** Literal every row title contains, when it is not `header` itself. */
  titleHint?: string;
  rows: TitleRow[];
}

export const trace = 'trace' as const;
export const ripThenTrace: StackPart[] = [RIP_LINE, CALL_TRACE, trace];
export const traceOnly: StackPart[] = [CALL_TRACE, trace];

/** WARNINGs: x86 prints the RIP first, powerpc an interrupt marker; old kernels only a trace. */
export function warningStack(...skip: string[]): StackSpec {
  return {
    parts: [
      new RegExp(`(?:${RIP_LINE.source}|--- interrupt: [0-9]+ at ${pattern('{{FUNC}}').source})`),
      trace,
    ],
    fallback: traceOnly,
    skip,
  };
}

export const usbSkips = [
  'usb_submit_urb',
  'usb_start_wait_urb',
  'usb_bulk_msg',
  'usb_interrupt_msg',
  'usb_control_msg',
];

/** Evidence pointers rendered as short human text: `line 1234`, `bt -a · CPU 10 · #11 · R12`. */

import type { Evidence } from '../model/index.js';
import { hex } from './format.js';

export function formatEvidence(e: Evidence): string {
  const parts: string[] = [];
  if (e.line !== undefined)
    parts.push(e.endLine && e.endLine !== e.line ? `lines ${e.line}–${e.endLine}` : `line ${e.line}`);
  if (e.command) parts.push(`\`${e.command}\``);
  if (e.cpu !== undefined) parts.push(`CPU ${e.cpu}`);
  if (e.pid !== undefined) parts.push(`pid ${e.pid}`);
  if (e.frame !== undefined) parts.push(`#${e.frame}`);
  if (e.register) parts.push(e.register.toUpperCase());
  if (e.address !== undefined) parts.push(hex(e.address));
  if (e.fileOffset !== undefined) parts.push(`file offset 0x${hex(e.fileOffset)}`);
  // A note explains a computation; where a line is cited, the line itself says more.
  if (e.note && e.line === undefined) parts.push(e.note);
  // Disassembly quotes carry objdump's tabs, which a terminal or a table cell renders unpredictably.
  if (e.text) parts.push(`“${truncate(e.text.trim().replace(/\s+/g, ' '), 72)}”`);
  if (parts.length === 0) parts.push(e.source);
  return parts.join(' · ');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

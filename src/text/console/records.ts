/**
 * Console text → log records (layer 1). `parseLogText` for text in memory; `LogLineSplitter` for
 * chunks of a stream (a multi-GB log never needs to be one string).
 */

import type { LogRecord } from '../../model/index.js';
import { parseLine } from './prefix.js';

export function recordFromLine(raw: string, line: number): LogRecord {
  return parseLine(raw, line) as LogRecord;
}

/** Every line of `text` as a record, 1-based line numbers. LF or CRLF end lines; stray CRs are noise. */
export function parseLogText(text: string): LogRecord[] {
  const records: LogRecord[] = [];
  forEachLine(text, (raw, line) => {
    records.push(recordFromLine(raw, line));
  });
  return records;
}

/**
 * Calls `fn` for each line. Serial captures end lines with CRLF, CRCRLF or (rarely) CR alone:
 * CRs inside a line are dropped, as syzkaller's own parser does, and a text without any LF is
 * split on CR.
 */
export function forEachLine(text: string, fn: (raw: string, line: number) => void): number {
  const sep = text.indexOf('\n') < 0 && text.indexOf('\r') >= 0 ? '\r' : '\n';
  let line = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let nl = text.indexOf(sep, start);
    if (nl < 0) nl = n;
    let raw = text.slice(start, nl);
    if (raw.indexOf('\r') >= 0) raw = raw.replaceAll('\r', '');
    fn(raw, ++line);
    start = nl + 1;
  }
  return line;
}

/** Longest partial line carried between chunks; a longer one is cut (printk lines are < 1 KiB). */
const MAX_CARRY = 1 << 20;

/** Splits a stream of text chunks into lines, carrying the partial last line between chunks. */
export class LogLineSplitter {
  private carry = '';
  private line = 0;

  constructor(private readonly onLine: (raw: string, line: number) => void) {}

  push(chunk: string): void {
    const text = this.carry.length > 0 ? this.carry + chunk : chunk;
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      this.carry = text;
      if (this.carry.length > MAX_CARRY) this.flushCarry();
      return;
    }
    this.carry = text.slice(last + 1);
    this.emit(text.slice(0, last));
    if (this.carry.length > MAX_CARRY) this.flushCarry();
  }

  /** Flushes the last partial line; returns the number of lines seen. */
  end(): number {
    if (this.carry.length > 0) this.flushCarry();
    return this.line;
  }

  private flushCarry(): void {
    const carry = this.carry;
    this.carry = '';
    this.emit(carry);
  }

  private emit(text: string): void {
    const base = this.line;
    const onLine = this.onLine;
    let n = 0;
    let start = 0;
    const len = text.length;
    while (start <= len) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = len;
      let raw = text.slice(start, nl);
      if (raw.indexOf('\r') >= 0) raw = raw.replaceAll('\r', '');
      onLine(raw, base + ++n);
      start = nl + 1;
    }
    this.line = base + n;
  }
}

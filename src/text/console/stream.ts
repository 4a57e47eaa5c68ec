/**
 * A console log of any size in bounded memory. Every line is parsed and shown to the system-facts
 * scanner, but only the records around report regions are kept: a short window before each line
 * that opens a report or a CPU backtrace (its prefix), and a long one after it (its region). The
 * rest are counted. Reports are then extracted from the kept records exactly as from a whole log.
 */

import type { Crash, InputInfo, LogRecord } from '../../model/index.js';
import { crashFromRecords } from './assemble.js';
import { F_NMI_BACKTRACE, F_OOM, F_OPENS_REPORT, F_SENDING_NMI, recordMarks } from './log-index.js';
import { LogLineSplitter, recordFromLine } from './records.js';
import { MAX_REGION_RECORDS } from './region.js';
import { SystemScanner } from './system.js';

export interface StreamLimits {
  /** Records kept before a report's first line. */
  before: number;
  /** Records kept after a report's (or backtrace's) first line. */
  after: number;
  /** Records kept in all; beyond it, later regions are dropped (and said so). */
  maxKept: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  before: 64,
  after: MAX_REGION_RECORDS,
  maxKept: 400_000,
};

/** Lines that make the reader keep what follows them. */
const OPENS_WINDOW = F_OPENS_REPORT | F_NMI_BACKTRACE | F_SENDING_NMI | F_OOM;

export class ConsoleLogReader {
  private readonly splitter: LogLineSplitter;
  private readonly system = new SystemScanner();
  private readonly kept: LogRecord[] = [];
  /** Last `before` records not kept, oldest first (a ring). */
  private readonly recent: LogRecord[] = [];
  private recentStart = 0;
  private keepUntil = 0;
  private dropped = 0;
  private overflow = false;
  private lines = 0;

  constructor(
    private readonly input: InputInfo,
    private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  ) {
    this.splitter = new LogLineSplitter((raw, line) => this.add(recordFromLine(raw, line)));
  }

  /** Feeds the next chunk of text (chunks may split lines anywhere). */
  push(chunk: string): void {
    this.splitter.push(chunk);
  }

  end(): Crash {
    this.lines = this.splitter.end();
    this.dropped += this.recent.length;
    const crash = crashFromRecords(this.kept, this.input, this.system.result());
    if (this.dropped > 0) {
      crash.gaps.push({
        what: `${this.dropped} of ${this.lines} log lines`,
        why: 'lines far from any report are counted, not kept, so a log of any size fits in memory',
      });
    }
    if (this.overflow) {
      crash.gaps.push({
        what: 'reports late in the log',
        why: `more than ${this.limits.maxKept} lines lie in report regions; later ones were not kept`,
      });
    }
    return crash;
  }

  private add(record: LogRecord): void {
    const marks = recordMarks(record);
    this.system.add(record, marks.flags);
    const line = record.line ?? 0;
    if (marks.flags & OPENS_WINDOW && !this.overflow) {
      this.flushRecent();
      this.keepUntil = line + this.limits.after;
    }
    if (line <= this.keepUntil && !this.overflow) {
      if (this.kept.length >= this.limits.maxKept) {
        this.overflow = true;
        this.dropped++;
        return;
      }
      this.kept.push(record);
      return;
    }
    this.remember(record);
  }

  private remember(record: LogRecord): void {
    const size = this.limits.before;
    if (size === 0) {
      this.dropped++;
      return;
    }
    if (this.recent.length < size) {
      this.recent.push(record);
      return;
    }
    this.recent[this.recentStart] = record;
    this.recentStart = (this.recentStart + 1) % size;
    this.dropped++;
  }

  private flushRecent(): void {
    const n = this.recent.length;
    for (let k = 0; k < n; k++) this.kept.push(this.recent[(this.recentStart + k) % n]!);
    this.recent.length = 0;
    this.recentStart = 0;
  }
}

/** Reads a console log from a stream of chunks (bytes are decoded as UTF-8, split characters too). */
export async function readConsoleLogStream(
  chunks: AsyncIterable<string | Uint8Array>,
  input: InputInfo,
  limits?: StreamLimits,
): Promise<Crash> {
  const reader = new ConsoleLogReader(input, limits);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    reader.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  reader.push(decoder.decode());
  return reader.end();
}

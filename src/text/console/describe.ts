/** Structured facts of a report (CPU, task, registers, stack…): filled in below. */

import type { LogRecord, Report } from '../../model/index.js';
import type { Region } from './region.js';

export function describeReport(_report: Report, _region: Region, _records: LogRecord[]): void {}

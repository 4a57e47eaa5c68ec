/**
 * The kernel log of a dump, whichever buffer the kernel had: the 5.10+ lockless ring buffer
 * (SYMBOL(prb)) or the 3.5–5.9 printk_log buffer (SYMBOL(log_buf) + log_first_idx). Chosen
 * from VMCOREINFO only — no symbols or debuginfo needed.
 */

import { KtriageError } from '../../errors.js';
import type { VmcoreInfo } from '../vmcoreinfo.js';
import { hasLegacyLog, readLegacyLog } from './legacy.js';
import { hasRingBuffer, readRingBuffer } from './ringbuffer.js';
import type { KernelLog, VirtualReader } from './types.js';

export type { KernelLog, KernelLogRecord, VirtualReader } from './types.js';

export function readKernelLog(mem: VirtualReader, vi: VmcoreInfo): KernelLog {
  if (hasRingBuffer(vi)) return readRingBuffer(mem, vi);
  if (hasLegacyLog(vi)) return readLegacyLog(mem, vi);
  throw new KtriageError(
    'missingData',
    'VMCOREINFO names neither prb (5.10+) nor log_buf/log_first_idx (3.5–5.9): the kernel log cannot be located',
  );
}

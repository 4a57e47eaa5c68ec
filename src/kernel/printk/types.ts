/** The kernel log as stored in a dump, before it becomes the model's `LogRecord`s. */

export interface KernelLogRecord {
  /** Sequence number (5.10+ ring buffer: printk_info.seq; legacy: position in the buffer). */
  seq: number;
  tsNsec: bigint;
  level: number;
  facility: number;
  /** Legacy printk_log flags (LOG_NEWLINE 2, LOG_CONT 8); 5.10+ printk_info flags. */
  flags: number;
  /** Raw caller id: bit 31 set = CPU number in the low bits, else thread id (CONFIG_PRINTK_CALLER). */
  callerId?: number;
  /** Message text; may hold embedded newlines (one printk, several lines). */
  text: string;
  /** dev_printk() metadata: SUBSYSTEM= and DEVICE= (5.10+ dev_info, legacy dict). */
  dict?: Record<string, string>;
  /** The text was cut (record overwritten, page missing). */
  damaged?: string;
}

export interface KernelLog {
  format: 'ringbuffer' | 'printk_log';
  records: KernelLogRecord[];
  /** Records skipped because they were being written or were overwritten, pages missing, … */
  problems: string[];
}

/** What the printk readers need from memory: KernelMemory provides it. */
export interface VirtualReader {
  readVirt(address: bigint, length: number): Uint8Array;
  tryReadVirt(address: bigint, length: number): Uint8Array | undefined;
  readonly pageSize: number;
}

export const LOG_CONT = 8;

/** Reads `length` bytes page by page; pages the dump lacks read as zeros and are counted. */
export function readLenient(
  mem: VirtualReader,
  address: bigint,
  length: number,
): { bytes: Uint8Array; missing: number } {
  const out = new Uint8Array(length);
  let missing = 0;
  let done = 0;
  const pageSize = BigInt(mem.pageSize);
  while (done < length) {
    const at = address + BigInt(done);
    const take = Math.min(length - done, mem.pageSize - Number(at % pageSize));
    const part = mem.tryReadVirt(at, take);
    if (part) out.set(part, done);
    else missing++;
    done += take;
  }
  return { bytes: out, missing };
}

export function decodeText(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}
const textDecoder = new TextDecoder('utf-8', { fatal: false });

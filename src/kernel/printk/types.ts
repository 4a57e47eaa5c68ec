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

/**
 * A lazily read range of kernel memory: pages are fetched on first use and kept, a missing page is
 * remembered as missing (its bytes read as zeros). Lets the printk readers walk arrays of any size
 * the kernel could have without allocating them whole.
 */
export class VirtualWindow {
  private readonly pages = new Map<bigint, Uint8Array | null>();
  missingPages = 0;

  constructor(
    private readonly mem: VirtualReader,
    readonly base: bigint,
  ) {}

  /** `n` bytes at `offset` into the window (zeros where pages are missing). */
  bytes(offset: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    const pageSize = BigInt(this.mem.pageSize);
    let done = 0;
    while (done < n) {
      const address = this.base + BigInt(offset + done);
      const inPage = Number(address % pageSize);
      const take = Math.min(n - done, this.mem.pageSize - inPage);
      const page = this.page(address - BigInt(inPage));
      if (page) out.set(page.subarray(inPage, inPage + take), done);
      done += take;
    }
    return out;
  }

  private page(pageBase: bigint): Uint8Array | null {
    let page = this.pages.get(pageBase);
    if (page === undefined) {
      page = this.mem.tryReadVirt(pageBase, this.mem.pageSize) ?? null;
      if (!page) this.missingPages++;
      this.pages.set(pageBase, page);
    }
    return page;
  }

  u8(offset: number): number {
    return this.bytes(offset, 1)[0]!;
  }
  u16(offset: number): number {
    const b = this.bytes(offset, 2);
    return b[0]! | (b[1]! << 8);
  }
  u32(offset: number): number {
    return new DataView(this.bytes(offset, 4).buffer).getUint32(0, true);
  }
  u64(offset: number): bigint {
    return new DataView(this.bytes(offset, 8).buffer).getBigUint64(0, true);
  }
}

export function decodeText(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}
const textDecoder = new TextDecoder('utf-8', { fatal: false });

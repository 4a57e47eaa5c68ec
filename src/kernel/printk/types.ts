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
  private readonly pages = new Map<number, DataView | null>();
  /** Offset of the window's start within its first page; page k of the window starts at k·pageSize − lead. */
  private readonly lead: number;
  private readonly pageSize: number;
  missingPages = 0;

  constructor(
    private readonly mem: VirtualReader,
    readonly base: bigint,
  ) {
    this.pageSize = mem.pageSize;
    this.lead = Number(base % BigInt(mem.pageSize));
  }

  /** `n` bytes at `offset` into the window (zeros where pages are missing). */
  bytes(offset: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const at = this.lead + offset + done;
      const index = Math.floor(at / this.pageSize);
      const inPage = at - index * this.pageSize;
      const take = Math.min(n - done, this.pageSize - inPage);
      const page = this.page(index);
      if (page) out.set(new Uint8Array(page.buffer, page.byteOffset + inPage, take), done);
      done += take;
    }
    return out;
  }

  private page(index: number): DataView | null {
    let page = this.pages.get(index);
    if (page === undefined) {
      const address = this.base - BigInt(this.lead) + BigInt(index) * BigInt(this.pageSize);
      const bytes = this.mem.tryReadVirt(address, this.pageSize);
      page = bytes ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null;
      if (!page) this.missingPages++;
      this.pages.set(index, page);
    }
    return page;
  }

  /** The page and in-page offset holding `size` bytes at `offset`, when they do not straddle pages. */
  private within(offset: number, size: number): [DataView | null, number] | undefined {
    const at = this.lead + offset;
    const index = Math.floor(at / this.pageSize);
    const inPage = at - index * this.pageSize;
    return inPage + size <= this.pageSize ? [this.page(index), inPage] : undefined;
  }

  u8(offset: number): number {
    const w = this.within(offset, 1)!;
    return w[0] ? w[0].getUint8(w[1]) : 0;
  }
  u16(offset: number): number {
    const w = this.within(offset, 2);
    if (!w) return new DataView(this.bytes(offset, 2).buffer).getUint16(0, true);
    return w[0] ? w[0].getUint16(w[1], true) : 0;
  }
  u32(offset: number): number {
    const w = this.within(offset, 4);
    if (!w) return new DataView(this.bytes(offset, 4).buffer).getUint32(0, true);
    return w[0] ? w[0].getUint32(w[1], true) : 0;
  }
  u64(offset: number): bigint {
    const w = this.within(offset, 8);
    if (!w) return new DataView(this.bytes(offset, 8).buffer).getBigUint64(0, true);
    return w[0] ? w[0].getBigUint64(w[1], true) : 0n;
  }
}

export function decodeText(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}
const textDecoder = new TextDecoder('utf-8', { fatal: false });

/**
 * VMCOREINFO: the `KEY=VALUE` text the kernel leaves for dump tools (kernel/vmcore_info.c).
 * Typed accessors for its kinds of entries:
 *   SYMBOL(name)=hex address (no 0x)     NUMBER(name)=integer, decimal or 0x-hex, may be negative
 *   SIZE(type)=decimal                   OFFSET(type.field)=decimal       LENGTH(name)=decimal
 *   OSRELEASE, BUILD-ID, PAGESIZE, CRASHTIME (epoch seconds), KERNELOFFSET (hex, no 0x)
 * Unknown keys are kept verbatim. Malformed lines are skipped and listed in `problems` — a dump
 * with a damaged VMCOREINFO is still worth reading.
 */

export interface VmcoreInfo {
  /** The text as found. */
  raw: string;
  osRelease?: string;
  buildId?: string;
  pageSize?: number;
  /** CRASHTIME: seconds since the epoch when the kernel crashed. */
  crashTime?: number;
  /** KERNELOFFSET: the KASLR displacement of the kernel image. */
  kernelOffset?: bigint;
  symbols: Map<string, bigint>;
  numbers: Map<string, bigint>;
  sizes: Map<string, number>;
  /** Keyed `struct.field`. */
  offsets: Map<string, number>;
  lengths: Map<string, number>;
  /** Other KEY=VALUE pairs, verbatim. */
  other: Map<string, string>;
  /** Lines that did not parse, for diagnostics. */
  problems: string[];
}

const MAX_LINES = 100_000;

export function parseVmcoreInfo(text: string): VmcoreInfo {
  const info: VmcoreInfo = {
    raw: text,
    symbols: new Map(),
    numbers: new Map(),
    sizes: new Map(),
    offsets: new Map(),
    lengths: new Map(),
    other: new Map(),
    problems: [],
  };
  const lines = text.split('\n', MAX_LINES);
  for (const rawLine of lines) {
    const line = rawLine.replace(/\0/g, '').trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      info.problems.push(line);
      continue;
    }
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    const entry = /^(SYMBOL|NUMBER|SIZE|OFFSET|LENGTH)\((.+)\)$/.exec(key);
    if (entry) {
      const [, kind, name] = entry as unknown as [string, string, string];
      if (!addEntry(info, kind, name, value)) info.problems.push(line);
      continue;
    }
    switch (key) {
      case 'OSRELEASE':
        info.osRelease = value;
        break;
      case 'BUILD-ID':
        info.buildId = value;
        break;
      case 'PAGESIZE': {
        const n = parseDecimal(value);
        if (n === undefined) info.problems.push(line);
        else info.pageSize = n;
        break;
      }
      case 'CRASHTIME': {
        const n = parseDecimal(value);
        if (n === undefined) info.problems.push(line);
        else info.crashTime = n;
        break;
      }
      case 'KERNELOFFSET': {
        const n = parseHex(value);
        if (n === undefined) info.problems.push(line);
        else info.kernelOffset = n;
        break;
      }
      default:
        info.other.set(key, value);
    }
  }
  return info;
}

function addEntry(info: VmcoreInfo, kind: string, name: string, value: string): boolean {
  if (kind === 'SYMBOL') {
    const v = parseHex(value);
    if (v === undefined) return false;
    info.symbols.set(name, v);
    return true;
  }
  if (kind === 'NUMBER') {
    const v = parseInteger(value);
    if (v === undefined) return false;
    info.numbers.set(name, v);
    return true;
  }
  const n = parseDecimal(value);
  if (n === undefined) return false;
  if (kind === 'SIZE') info.sizes.set(name, n);
  else if (kind === 'OFFSET') info.offsets.set(name, n);
  else info.lengths.set(name, n);
  return true;
}

/** Hex without (or with) 0x, as SYMBOL and KERNELOFFSET print it. */
export function parseHex(value: string): bigint | undefined {
  const digits = value.replace(/^0x/i, '');
  return /^[0-9a-f]{1,16}$/i.test(digits) ? BigInt(`0x${digits}`) : undefined;
}

/** NUMBER(): decimal, or hex with 0x (VMALLOC_START, sme_mask on some kernels), maybe negative. */
export function parseInteger(value: string): bigint | undefined {
  const m = /^(-?)(0x[0-9a-f]{1,16}|[0-9]{1,20})$/i.exec(value);
  if (!m) return undefined;
  const magnitude = BigInt(m[2]!);
  return m[1] ? -magnitude : magnitude;
}

function parseDecimal(value: string): number | undefined {
  if (!/^-?[0-9]{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/** Accessors that read like the kernel's names: `offsetOf(vi, 'printk_info', 'seq')`. */
export const symbolOf = (vi: VmcoreInfo, name: string): bigint | undefined => vi.symbols.get(name);
export const numberOf = (vi: VmcoreInfo, name: string): bigint | undefined => vi.numbers.get(name);
export const sizeOf = (vi: VmcoreInfo, type: string): number | undefined => vi.sizes.get(type);
export const offsetOf = (vi: VmcoreInfo, type: string, field: string): number | undefined =>
  vi.offsets.get(`${type}.${field}`);
export const lengthOf = (vi: VmcoreInfo, name: string): number | undefined => vi.lengths.get(name);

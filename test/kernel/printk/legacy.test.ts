/**
 * The 3.5–5.9 printk_log buffer. No lab dump has a pre-5.10 kernel, so the buffer is built here
 * from real log lines (the lab's vmcore-dmesg.txt) in the layout the kernel used, located through
 * a VMCOREINFO shaped like a 5.4 kernel's (SYMBOL(log_buf…), SIZE/OFFSET(printk_log.*)).
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KtriageError } from '../../../src/errors.js';
import { readKernelLog } from '../../../src/kernel/printk/index.js';
import type { VirtualReader } from '../../../src/kernel/printk/types.js';
import { parseVmcoreInfo } from '../../../src/kernel/vmcoreinfo.js';
import { fixture } from '../../helpers/shared.js';

const LOG_BUF = 0xffffffff82600000n; // the static __log_buf
const VARS = 0xffffffff82500000n; // log_buf, log_buf_len, log_first_idx, log_next_idx
const BUF_LEN = 1 << 14;

const lines = readFileSync(fixture('lab', 'mutex-hung', 'vmcore-dmesg.txt'), 'utf8')
  .split('\n')
  .map((l) => /^\[\s*(\d+)\.(\d+)\] (.*)$/.exec(l))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ ns: BigInt(m[1]!) * 1000000000n + BigInt(m[2]!) * 1000n, text: m[3]! }));

const vmcoreinfo = (headerSize: number) =>
  parseVmcoreInfo(
    [
      'OSRELEASE=5.4.0-test',
      `SYMBOL(log_buf)=${VARS.toString(16)}`,
      `SYMBOL(log_buf_len)=${(VARS + 8n).toString(16)}`,
      `SYMBOL(log_first_idx)=${(VARS + 16n).toString(16)}`,
      `SYMBOL(clear_idx)=${(VARS + 20n).toString(16)}`,
      `SYMBOL(log_next_idx)=${(VARS + 24n).toString(16)}`,
      `SIZE(printk_log)=${headerSize}`,
      'OFFSET(printk_log.ts_nsec)=0',
      'OFFSET(printk_log.len)=8',
      'OFFSET(printk_log.text_len)=10',
      'OFFSET(printk_log.dict_len)=12',
      '',
    ].join('\n'),
  );

/** Writes records the way log_store() did, wrapping with a len-0 marker; returns the memory. */
function buildBuffer(
  records: { ns: bigint; text: string; dict?: string }[],
  headerSize: number,
): VirtualReader {
  const buf = new Uint8Array(BUF_LEN);
  const v = new DataView(buf.buffer);
  let next = 0;
  let first = 0;
  const enc = new TextEncoder();
  const starts: number[] = [];
  for (const [i, r] of records.entries()) {
    const text = enc.encode(r.text);
    const dict = enc.encode(r.dict ?? '');
    const len = Math.ceil((headerSize + text.length + dict.length) / 8) * 8;
    if (next + len + headerSize > BUF_LEN) {
      v.setUint16(next + 8, 0, true); // wrap marker
      next = 0;
    }
    // Overwritten records drop off the front.
    while (starts.length && starts[0]! >= next && starts[0]! < next + len + headerSize) starts.shift();
    first = starts[0] ?? next;
    v.setBigUint64(next, r.ns, true);
    v.setUint16(next + 8, len, true);
    v.setUint16(next + 10, text.length, true);
    v.setUint16(next + 12, dict.length, true);
    v.setUint8(next + 14, 0);
    v.setUint8(next + 15, ((i % 8) << 5) | 2);
    if (headerSize >= 20) v.setUint32(next + 16, i % 3 === 0 ? 0x80000001 : 100 + i, true);
    buf.set(text, next + headerSize);
    buf.set(dict, next + headerSize + text.length);
    starts.push(next);
    next += len;
  }
  const vars = new Uint8Array(32);
  const vv = new DataView(vars.buffer);
  vv.setBigUint64(0, LOG_BUF, true);
  vv.setUint32(8, BUF_LEN, true);
  vv.setUint32(16, first, true);
  vv.setUint32(24, next, true);
  const read = (address: bigint, length: number): Uint8Array | undefined => {
    if (address >= LOG_BUF && address + BigInt(length) <= LOG_BUF + BigInt(BUF_LEN)) {
      const at = Number(address - LOG_BUF);
      return buf.slice(at, at + length);
    }
    if (address >= VARS && address + BigInt(length) <= VARS + 32n)
      return vars.slice(Number(address - VARS), Number(address - VARS) + length);
    return undefined;
  };
  return {
    pageSize: 4096,
    tryReadVirt: read,
    readVirt: (a, n) => {
      const b = read(a, n);
      if (!b) throw new KtriageError('missingData', `0x${a.toString(16)} unmapped`);
      return b;
    },
  };
}

describe('legacy printk_log buffer', () => {
  it('reads records in order, across the wrap, with levels, dicts and caller ids', () => {
    const records = lines.map((l, i) => ({
      ...l,
      dict: i % 50 === 0 ? 'SUBSYSTEM=pci\0DEVICE=+pci:0000:00:01.1' : '',
    }));
    const mem = buildBuffer(records, 20);
    const log = readKernelLog(mem, vmcoreinfo(20));
    expect(log.format).toBe('printk_log');
    expect(log.problems).toEqual([]);
    // The buffer keeps the newest records that fit: the tail of the real log, in order.
    const got = log.records.map((r) => r.text);
    expect(got.length).toBeGreaterThan(50);
    expect(got).toEqual(records.slice(records.length - got.length).map((r) => r.text));
    const last = log.records[log.records.length - 1]!;
    expect(last.tsNsec).toBe(records[records.length - 1]!.ns);
    expect(last.level).toBe((records.length - 1) % 8);
    expect(log.records.some((r) => r.dict?.SUBSYSTEM === 'pci')).toBe(true);
    expect(log.records.some((r) => r.callerId === 0x80000001)).toBe(true);
  });

  it('reads the 16-byte header of kernels without CONFIG_PRINTK_CALLER', () => {
    const log = readKernelLog(buildBuffer(lines.slice(0, 40), 16), vmcoreinfo(16));
    expect(log.records.map((r) => r.text)).toEqual(lines.slice(0, 40).map((l) => l.text));
    expect(log.records[0]!.callerId).toBeUndefined();
  });

  it('never throws anything but KtriageError on a damaged buffer, and stops', () => {
    const mem = buildBuffer(lines.slice(0, 200), 20);
    const bytes = mem.readVirt(LOG_BUF, BUF_LEN);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(BUF_LEN - 1), fc.nat(255)), { minLength: 1, maxLength: 40 }),
        (edits) => {
          const damaged = bytes.slice();
          for (const [at, value] of edits) damaged[at] = value;
          const reader: VirtualReader = {
            ...mem,
            tryReadVirt: (a, n) =>
              a >= LOG_BUF && a < LOG_BUF + BigInt(BUF_LEN)
                ? damaged.slice(Number(a - LOG_BUF), Number(a - LOG_BUF) + n)
                : mem.tryReadVirt(a, n),
            readVirt: (a, n) =>
              a >= LOG_BUF && a < LOG_BUF + BigInt(BUF_LEN)
                ? damaged.slice(Number(a - LOG_BUF), Number(a - LOG_BUF) + n)
                : mem.readVirt(a, n),
          };
          try {
            const log = readKernelLog(reader, vmcoreinfo(20));
            expect(log.records.length).toBeLessThanOrEqual(BUF_LEN / 16 + 1);
          } catch (error) {
            expect(error).toBeInstanceOf(KtriageError);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

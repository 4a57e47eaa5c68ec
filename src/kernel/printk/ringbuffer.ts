/**
 * The lockless printk ring buffer (Linux 5.10+, kernel/printk/printk_ringbuffer.c), located and
 * laid out from VMCOREINFO only. A descriptor ring (`descs` + parallel `infos`) indexes a text
 * data ring; descriptor ids run from tail_id to head_id, slot = id & (2^count_bits − 1). The top
 * two bits of a descriptor's state_var are its state (committed 1 / finalized 2 are readable), the
 * rest its id, which must match the id we look for (else the slot was reused). Text blocks are
 * `{unsigned long id; char text[]}` at logical positions (lpos); a block whose end lies in the next
 * wrap of the data ring was stored at index 0 instead.
 */

import { KtriageError } from '../../errors.js';
import { lengthOf, offsetOf, sizeOf, symbolOf, type VmcoreInfo } from '../vmcoreinfo.js';
import {
  decodeText,
  type KernelLog,
  type KernelLogRecord,
  type VirtualReader,
  VirtualWindow,
} from './types.js';

const STATE_SHIFT = 62n;
const ID_MASK = (1n << 62n) - 1n;
const STATE_COMMITTED = 1n;
const STATE_FINALIZED = 2n;
const STATE_REUSABLE = 3n;
const MAX_COUNT_BITS = 24;
/** Struct sizes and field offsets of the ring buffer are a few hundred bytes at most. */
const MAX_LAYOUT = 4096;
/** dev_printk_info fields are 16 and 48 bytes; anything far larger is a damaged VMCOREINFO. */
const MAX_DEV_INFO = 256;
const MAX_SIZE_BITS = 31;
/** Records walked at most (the kernel's largest buffers hold far fewer). */
const MAX_RECORDS = 1 << 21;
// Not in VMCOREINFO; stable since 5.10 on 64-bit: u8 facility @18, u8 flags:5 level:3 @19.
const INFO_FACILITY = 18;
const INFO_FLAGS_LEVEL = 19;

interface Layout {
  descSize: number;
  stateVar: number;
  textBlkLpos: number;
  lposBegin: number;
  lposNext: number;
  infoSize: number;
  seq: number;
  tsNsec: number;
  textLen: number;
  callerId: number;
  devInfo?: number;
  subsystem?: number;
  subsystemLen: number;
  device?: number;
  deviceLen: number;
}

/** A SIZE/OFFSET the reader needs: present, and small enough to be a struct layout. */
function need(value: number | bigint | undefined, what: string): number {
  if (value === undefined) {
    throw new KtriageError(
      'missingData',
      `VMCOREINFO lacks ${what}: cannot read the 5.10+ printk ring buffer`,
    );
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_LAYOUT) {
    throw new KtriageError('corrupt', `VMCOREINFO ${what}=${value} is not a plausible struct layout value`);
  }
  return n;
}

function layout(vi: VmcoreInfo): Layout {
  const devInfo = offsetOf(vi, 'printk_info', 'dev_info');
  return {
    descSize: need(sizeOf(vi, 'prb_desc'), 'SIZE(prb_desc)'),
    stateVar: need(offsetOf(vi, 'prb_desc', 'state_var'), 'OFFSET(prb_desc.state_var)'),
    textBlkLpos: need(offsetOf(vi, 'prb_desc', 'text_blk_lpos'), 'OFFSET(prb_desc.text_blk_lpos)'),
    lposBegin: need(offsetOf(vi, 'prb_data_blk_lpos', 'begin'), 'OFFSET(prb_data_blk_lpos.begin)'),
    lposNext: need(offsetOf(vi, 'prb_data_blk_lpos', 'next'), 'OFFSET(prb_data_blk_lpos.next)'),
    infoSize: need(sizeOf(vi, 'printk_info'), 'SIZE(printk_info)'),
    seq: need(offsetOf(vi, 'printk_info', 'seq'), 'OFFSET(printk_info.seq)'),
    tsNsec: need(offsetOf(vi, 'printk_info', 'ts_nsec'), 'OFFSET(printk_info.ts_nsec)'),
    textLen: need(offsetOf(vi, 'printk_info', 'text_len'), 'OFFSET(printk_info.text_len)'),
    callerId: need(offsetOf(vi, 'printk_info', 'caller_id'), 'OFFSET(printk_info.caller_id)'),
    devInfo,
    subsystem: offsetOf(vi, 'dev_printk_info', 'subsystem'),
    subsystemLen: Math.min(lengthOf(vi, 'printk_info_subsystem') ?? 16, MAX_DEV_INFO),
    device: offsetOf(vi, 'dev_printk_info', 'device'),
    deviceLen: Math.min(lengthOf(vi, 'printk_info_device') ?? 48, MAX_DEV_INFO),
  };
}

export function hasRingBuffer(vi: VmcoreInfo): boolean {
  return symbolOf(vi, 'prb') !== undefined;
}

export function readRingBuffer(mem: VirtualReader, vi: VmcoreInfo): KernelLog {
  const L = layout(vi);
  const prbVar = symbolOf(vi, 'prb');
  if (prbVar === undefined)
    throw new KtriageError(
      'missingData',
      'VMCOREINFO lacks SYMBOL(prb): cannot read the 5.10+ printk ring buffer',
    );
  const rb = dv(mem.readVirt(prbVar, 8)).getBigUint64(0, true);
  const descRingOff = need(
    offsetOf(vi, 'printk_ringbuffer', 'desc_ring'),
    'OFFSET(printk_ringbuffer.desc_ring)',
  );
  const textRingOff = need(
    offsetOf(vi, 'printk_ringbuffer', 'text_data_ring'),
    'OFFSET(printk_ringbuffer.text_data_ring)',
  );
  // Offsets come from VMCOREINFO: read through a window so a damaged one cannot index past a buffer.
  mem.readVirt(rb, 8);
  const ring = new VirtualWindow(mem, rb);
  const dr = descRingOff;
  const countBits = ring.u32(
    dr + need(offsetOf(vi, 'prb_desc_ring', 'count_bits'), 'OFFSET(prb_desc_ring.count_bits)'),
  );
  const descs = ring.u64(dr + need(offsetOf(vi, 'prb_desc_ring', 'descs'), 'OFFSET(prb_desc_ring.descs)'));
  const infos = ring.u64(dr + need(offsetOf(vi, 'prb_desc_ring', 'infos'), 'OFFSET(prb_desc_ring.infos)'));
  const headId = ring.u64(
    dr + need(offsetOf(vi, 'prb_desc_ring', 'head_id'), 'OFFSET(prb_desc_ring.head_id)'),
  );
  const tailId = ring.u64(
    dr + need(offsetOf(vi, 'prb_desc_ring', 'tail_id'), 'OFFSET(prb_desc_ring.tail_id)'),
  );
  const tr = textRingOff;
  const sizeBits = ring.u32(
    tr + need(offsetOf(vi, 'prb_data_ring', 'size_bits'), 'OFFSET(prb_data_ring.size_bits)'),
  );
  const data = ring.u64(tr + need(offsetOf(vi, 'prb_data_ring', 'data'), 'OFFSET(prb_data_ring.data)'));
  if (countBits > MAX_COUNT_BITS || sizeBits > MAX_SIZE_BITS || sizeBits < 3) {
    throw new KtriageError(
      'corrupt',
      `printk ring buffer at 0x${rb.toString(16)}: count_bits ${countBits} / size_bits ${sizeBits} out of range`,
    );
  }
  const count = 1 << countBits;
  const problems: string[] = [];
  const D = new VirtualWindow(mem, descs);
  const I = new VirtualWindow(mem, infos);
  const T = new VirtualWindow(mem, data);

  const records: KernelLogRecord[] = [];
  const span = (headId - tailId) & ID_MASK;
  if (span >= BigInt(count))
    problems.push(
      `tail id ${tailId} and head id ${headId} are ${span} apart, more than the ${count} descriptors: reading the last ${count}`,
    );
  const limit = Math.min(count, MAX_RECORDS);
  const first = span >= BigInt(limit) ? (headId - BigInt(limit - 1)) & ID_MASK : tailId;
  let skipped = 0;
  for (let id = first, n = 0; n < limit; id = (id + 1n) & ID_MASK, n++) {
    const slot = Number(id & BigInt(count - 1));
    const d = slot * L.descSize;
    const stateVar = D.u64(d + L.stateVar);
    const state = stateVar >> STATE_SHIFT;
    if ((stateVar & ID_MASK) !== id || (state !== STATE_COMMITTED && state !== STATE_FINALIZED)) {
      // A reusable tail (state 3) is the normal edge of the ring; anything else is worth a note.
      if (state !== STATE_REUSABLE || (stateVar & ID_MASK) !== id) skipped++;
    } else {
      const begin = D.u64(d + L.textBlkLpos + L.lposBegin);
      const next = D.u64(d + L.textBlkLpos + L.lposNext);
      const i = slot * L.infoSize;
      const flagsLevel = I.u8(i + INFO_FLAGS_LEVEL);
      const record: KernelLogRecord = {
        seq: Number(I.u64(i + L.seq)),
        tsNsec: I.u64(i + L.tsNsec),
        facility: I.u8(i + INFO_FACILITY),
        level: flagsLevel >> 5,
        flags: flagsLevel & 0x1f,
        callerId: I.u32(i + L.callerId),
        text: '',
      };
      const textLen = I.u16(i + L.textLen);
      const block = blockText(T, sizeBits, begin, next);
      if (block === undefined) {
        record.damaged = 'text block position invalid';
      } else {
        if (textLen > block.length)
          record.damaged = `text_len ${textLen} exceeds its ${block.length}-byte block`;
        record.text = decodeText(block.subarray(0, Math.min(textLen, block.length)));
      }
      const dict = devInfo(I, i, L);
      if (dict) record.dict = dict;
      records.push(record);
    }
    if (id === headId) break;
  }
  if (skipped > 0)
    problems.push(`${skipped} log records skipped: being written or overwritten when the dump was taken`);
  const missing = D.missingPages + I.missingPages + T.missingPages;
  if (missing > 0) problems.push(`${missing} pages of the printk ring buffer are not in the dump`);
  return { format: 'ringbuffer', records, problems };
}

/** Text bytes of the block at [begin, next) (without the block id), or undefined if impossible. */
function blockText(
  ring: VirtualWindow,
  sizeBits: number,
  begin: bigint,
  next: bigint,
): Uint8Array | undefined {
  // Data-less blocks (bit 0 set: FAILED_LPOS/NO_LPOS, or begin == next) carry no text.
  if ((begin & 1n) === 1n && (next & 1n) === 1n) return new Uint8Array(0);
  if (begin === next) return new Uint8Array(0);
  const bits = BigInt(sizeBits);
  const size = 1n << bits;
  let start: bigint;
  let length: bigint;
  if (begin >> bits === next >> bits) {
    if (next < begin) return undefined;
    start = begin & (size - 1n);
    length = next - begin;
  } else if ((begin + size) >> bits === next >> bits) {
    start = 0n;
    length = next & (size - 1n);
  } else {
    return undefined;
  }
  // A block holds one record: u16 text_len bounds what a sane block can be.
  if (length < 8n || start + length > size || length > 0x10000n + 16n) return undefined;
  return ring.bytes(Number(start) + 8, Number(length) - 8);
}

function devInfo(info: VirtualWindow, at: number, L: Layout): Record<string, string> | undefined {
  if (L.devInfo === undefined || L.subsystem === undefined || L.device === undefined) return undefined;
  const base = at + L.devInfo;
  const subsystem = cstr(info.bytes(base + L.subsystem, L.subsystemLen));
  const device = cstr(info.bytes(base + L.device, L.deviceLen));
  if (!subsystem && !device) return undefined;
  const dict: Record<string, string> = {};
  if (subsystem) dict.SUBSYSTEM = subsystem;
  if (device) dict.DEVICE = device;
  return dict;
}

function cstr(b: Uint8Array): string {
  const end = b.indexOf(0);
  return decodeText(end < 0 ? b : b.subarray(0, end));
}

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

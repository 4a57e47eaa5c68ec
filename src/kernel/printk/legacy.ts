/**
 * The variable-length printk buffer of Linux 3.5–5.9 (kernel/printk/printk.c before the lockless
 * ring buffer): `struct printk_log` records (called `struct log` until 3.11) packed in `log_buf`,
 * from `log_first_idx` to `log_next_idx`; a record with len 0 means "wrap to the start".
 * Header: u64 ts_nsec, u16 len, u16 text_len, u16 dict_len, u8 facility, u8 flags:5 level:3,
 * [u32 caller_id with CONFIG_PRINTK_CALLER, 5.1+], then text, then dict ("KEY=value\0…").
 * SYMBOL(log_buf) etc. are addresses of the variables: their values are read from memory.
 */

import { KtriageError } from '../../errors.js';
import { offsetOf, sizeOf, symbolOf, type VmcoreInfo } from '../vmcoreinfo.js';
import {
  decodeText,
  type KernelLog,
  type KernelLogRecord,
  type VirtualReader,
  VirtualWindow,
} from './types.js';

const MAX_LOG_BUF = 1 << 30;

export function hasLegacyLog(vi: VmcoreInfo): boolean {
  return symbolOf(vi, 'log_buf') !== undefined && symbolOf(vi, 'log_first_idx') !== undefined;
}

export function readLegacyLog(mem: VirtualReader, vi: VmcoreInfo): KernelLog {
  // The struct was renamed from `log` to `printk_log` in 3.11 (commit 62e32ac3505a).
  const type = sizeOf(vi, 'printk_log') !== undefined ? 'printk_log' : 'log';
  const headerSize = sizeOf(vi, type);
  if (headerSize === undefined) {
    throw new KtriageError('missingData', `VMCOREINFO lacks SIZE(${type}): cannot read the printk buffer`);
  }
  if (headerSize < 16 || headerSize > 64) {
    throw new KtriageError('corrupt', `VMCOREINFO SIZE(${type})=${headerSize}, expected 16..64`);
  }
  const off = (field: string): number => {
    const v = offsetOf(vi, type, field);
    if (v === undefined) {
      throw new KtriageError(
        'missingData',
        `VMCOREINFO lacks OFFSET(${type}.${field}): cannot read the printk buffer`,
      );
    }
    // dict_len is followed by facility and flags/level: 4 bytes must fit.
    if (v < 0 || v + 4 > headerSize) {
      throw new KtriageError(
        'corrupt',
        `VMCOREINFO OFFSET(${type}.${field})=${v} lies outside the ${headerSize}-byte header`,
      );
    }
    return v;
  };
  const tsOff = off('ts_nsec');
  const lenOff = off('len');
  const textLenOff = off('text_len');
  const dictLenOff = off('dict_len');
  // facility and flags/level follow dict_len; caller_id (5.1+, CONFIG_PRINTK_CALLER) makes the header ≥ 20 bytes.
  const facilityOff = dictLenOff + 2;
  const callerOff = headerSize >= dictLenOff + 8 ? dictLenOff + 4 : undefined;

  const u32At = (sym: string): number => {
    const at = symbolOf(vi, sym);
    if (at === undefined)
      throw new KtriageError('missingData', `VMCOREINFO lacks SYMBOL(${sym}): cannot read the printk buffer`);
    return dv(mem.readVirt(at, 4)).getUint32(0, true);
  };
  const bufAddr = dv(mem.readVirt(symbolOf(vi, 'log_buf')!, 8)).getBigUint64(0, true);
  const bufLen = u32At('log_buf_len');
  const firstIdx = u32At('log_first_idx');
  const nextIdx = u32At('log_next_idx');
  if (bufLen === 0 || bufLen > MAX_LOG_BUF || firstIdx >= bufLen || nextIdx >= bufLen) {
    throw new KtriageError(
      'corrupt',
      `printk buffer at 0x${bufAddr.toString(16)}: log_buf_len ${bufLen}, first ${firstIdx}, next ${nextIdx} are inconsistent`,
    );
  }
  const buf = new VirtualWindow(mem, bufAddr);
  const problems: string[] = [];
  const records: KernelLogRecord[] = [];
  let idx = firstIdx;
  let wrapped = false;
  const maxRecords = Math.ceil(bufLen / headerSize) + 1;
  while (idx !== nextIdx && records.length < maxRecords) {
    if (idx + headerSize > bufLen) {
      problems.push(`record header at index ${idx} passes the end of log_buf`);
      break;
    }
    const len = buf.u16(idx + lenOff);
    if (len === 0) {
      if (wrapped) {
        problems.push(`second wrap marker at index ${idx}`);
        break;
      }
      wrapped = true;
      idx = 0;
      continue;
    }
    const textLen = buf.u16(idx + textLenOff);
    const dictLen = buf.u16(idx + dictLenOff);
    if (len < headerSize || idx + len > bufLen || headerSize + textLen + dictLen > len) {
      problems.push(
        `record at index ${idx} has len ${len}, text_len ${textLen}, dict_len ${dictLen}: stopping`,
      );
      break;
    }
    const textStart = idx + headerSize;
    const flagsLevel = buf.u8(idx + facilityOff + 1);
    const record: KernelLogRecord = {
      seq: records.length,
      tsNsec: buf.u64(idx + tsOff),
      facility: buf.u8(idx + facilityOff),
      flags: flagsLevel & 0x1f,
      level: flagsLevel >> 5,
      text: decodeText(buf.bytes(textStart, textLen)),
    };
    if (callerOff !== undefined) record.callerId = buf.u32(idx + callerOff);
    if (dictLen > 0) record.dict = parseDict(buf.bytes(textStart + textLen, dictLen));
    records.push(record);
    idx += len;
  }
  if (buf.missingPages) problems.push(`${buf.missingPages} pages of log_buf are not in the dump`);
  return { format: 'printk_log', records, problems };
}

function parseDict(bytes: Uint8Array): Record<string, string> {
  const dict: Record<string, string> = {};
  for (const entry of decodeText(bytes).split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) dict[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return dict;
}

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

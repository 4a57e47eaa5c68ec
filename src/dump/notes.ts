/**
 * ELF notes of a vmcore (the PT_NOTE segment of an ELF dump, or the note area a kdump-compressed
 * dump copies at `offset_note`): one NT_PRSTATUS ("CORE", type 1) per CPU with its registers, the
 * VMCOREINFO text ("VMCOREINFO", type 0), and QEMU's per-CPU "QEMU" notes in dumps made by
 * `dump-guest-memory`. Layout: Elf64_Nhdr {u32 namesz, descsz, type}, name and desc each padded to 4.
 */

import { corrupt } from '../errors.js';
import { u32 } from '../io/endian.js';
import { type PrStatus, parsePrStatus, parseQemuCpuState, type QemuCpuState } from './prstatus.js';

export interface RawNote {
  name: string;
  type: number;
  desc: Uint8Array;
  /** Offset of the note header in the note area. */
  offset: number;
}

export interface DumpNotes {
  /** NT_PRSTATUS in note order; the index is the CPU number as the dump enumerates CPUs. */
  prstatus: PrStatus[];
  /** QEMU's own CPU state notes (QEMU dumps), in note order. */
  qemuCpus: QemuCpuState[];
  vmcoreinfo?: string;
  /** Notes we did not interpret (name/type), for `ktriage sys --verbose` style listings. */
  other: { name: string; type: number; size: number }[];
}

const NT_PRSTATUS = 1;
const MAX_NOTES = 65536;

/** Splits a note area into notes. `base` is the area's file offset, for messages. */
export function splitNotes(area: Uint8Array, base = 0): RawNote[] {
  const notes: RawNote[] = [];
  let off = 0;
  while (off + 12 <= area.length) {
    const nameSize = u32(area, off);
    const descSize = u32(area, off + 4);
    const type = u32(area, off + 8);
    // The kernel pads unused per-CPU slots with zeros; a zero header ends the area.
    if (nameSize === 0 && descSize === 0 && type === 0) break;
    const nameStart = off + 12;
    const descStart = nameStart + align4(nameSize);
    const end = descStart + align4(descSize);
    if (descStart + descSize > area.length || nameStart + nameSize > area.length) {
      throw corrupt(
        'ELF note',
        base + off,
        `name (${nameSize} bytes) and desc (${descSize} bytes) pass the end of the note area (${area.length} bytes)`,
      );
    }
    let nameEnd = nameStart + nameSize;
    while (nameEnd > nameStart && area[nameEnd - 1] === 0) nameEnd--;
    const name = String.fromCharCode(...area.subarray(nameStart, nameEnd));
    notes.push({ name, type, desc: area.subarray(descStart, descStart + descSize), offset: base + off });
    if (notes.length > MAX_NOTES) throw corrupt('ELF note area', base, `more than ${MAX_NOTES} notes`);
    off = end;
  }
  return notes;
}

export function interpretNotes(area: Uint8Array, base = 0): DumpNotes {
  const result: DumpNotes = { prstatus: [], qemuCpus: [], other: [] };
  for (const note of splitNotes(area, base)) {
    if (note.name === 'CORE' && note.type === NT_PRSTATUS) {
      result.prstatus.push(parsePrStatus(note.desc, result.prstatus.length, note.offset));
    } else if (note.name === 'VMCOREINFO') {
      result.vmcoreinfo = new TextDecoder('latin1').decode(trimNul(note.desc));
    } else if (note.name === 'QEMU') {
      const state = parseQemuCpuState(note.desc, result.qemuCpus.length, note.offset);
      if (state) result.qemuCpus.push(state);
      else result.other.push({ name: note.name, type: note.type, size: note.desc.length });
    } else {
      result.other.push({ name: note.name, type: note.type, size: note.desc.length });
    }
  }
  return result;
}

function trimNul(b: Uint8Array): Uint8Array {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return b.subarray(0, end);
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

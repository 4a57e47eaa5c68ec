#!/usr/bin/env python3
"""Convert a kdump-compressed vmcore (makedumpfile -c, zlib or uncompressed pages) into an ELF64
vmcore shaped like `makedumpfile -E` output, for lab dumps whose capture kernel wrote no ELF
(makedumpfile refuses -E on a kdump-compressed input).

    kdump2elf.py VMCORE OUT.elf [--system-map System.map[.gz]]

Program headers: one PT_NOTE (the dump's note section: NT_PRSTATUS per CPU + VMCOREINFO), a
kernel-text PT_LOAD (vaddr in __START_KERNEL_map, needs _text/_end from the System.map, as
/proc/vmcore has it), then direct-map PT_LOADs for every run of RAM pages (first bitmap): dumped
pages are file data, excluded pages that follow them are p_memsz beyond p_filesz, and a run that
starts excluded gets p_filesz == 0, the two forms makedumpfile -E writes.
The direct-map base is read from the dump (page_offset_base, via the System.map + KERNELOFFSET).
Used only by the lab (formats.sh); verified with crash (see docs/lab.md)."""
import argparse
import gzip
import struct
import sys
import zlib

START_KERNEL_MAP = 0xFFFFFFFF80000000
DEFAULT_PAGE_OFFSET = 0xFFFF888000000000
FLAG_ZLIB = 0x1


class Kdump:
    def __init__(self, path):
        self.f = open(path, 'rb')
        hdr = self.f.read(464)
        if hdr[:8] not in (b'KDUMP   ', b'DISKDUMP'):
            raise SystemExit('%s: not a kdump-compressed dump' % path)
        (self.version,) = struct.unpack_from('<i', hdr, 8)
        status, bs, sub_blocks, bitmap_blocks, max_mapnr = struct.unpack_from('<iiiiI', hdr, 424)
        self.bs = bs
        self.f.seek(bs)
        sub = self.f.read(sub_blocks * bs)
        (self.phys_base,) = struct.unpack_from('<Q', sub, 0)
        self.note_off, self.note_size = struct.unpack_from('<QQ', sub, 48) if self.version >= 4 else (0, 0)
        self.max_mapnr = struct.unpack_from('<Q', sub, 96)[0] if self.version >= 6 else max_mapnr
        self.f.seek((1 + sub_blocks) * bs)
        bitmaps = self.f.read(bitmap_blocks * bs)
        half = len(bitmaps) // 2
        self.ram, self.dumped = bitmaps[:half], bitmaps[half:]
        self.desc_base = (1 + sub_blocks + bitmap_blocks) * bs
        self.max_mapnr = min(self.max_mapnr, half * 8)
        # index of each dumped pfn's page descriptor: count dumped pages in pfn order
        self.desc_index = {}
        n = 0
        for byte_i, byte in enumerate(self.dumped[: (self.max_mapnr + 7) // 8]):
            while byte:
                low = byte & -byte
                self.desc_index[byte_i * 8 + low.bit_length() - 1] = n
                n += 1
                byte ^= low

    def is_ram(self, pfn):
        return self.ram[pfn >> 3] >> (pfn & 7) & 1

    def is_dumped(self, pfn):
        return pfn in self.desc_index

    def notes(self):
        self.f.seek(self.note_off)
        return self.f.read(self.note_size)

    def page(self, pfn):
        self.f.seek(self.desc_base + 24 * self.desc_index[pfn])
        offset, size, flags, _ = struct.unpack('<qIIQ', self.f.read(24))
        self.f.seek(offset)
        data = self.f.read(size)
        if flags & FLAG_ZLIB:
            data = zlib.decompress(data)
        elif flags:
            raise SystemExit('page %#x: compression flags %#x not supported (zlib only)' % (pfn, flags))
        if len(data) != self.bs:
            raise SystemExit('page %#x: %d bytes after decompression' % (pfn, len(data)))
        return data

    def read_phys(self, addr, size):
        pfn, off = divmod(addr, self.bs)
        return self.page(pfn)[off:off + size] if self.is_dumped(pfn) else None


def vmcoreinfo(notes):
    off = 0
    while off + 12 <= len(notes):
        namesz, descsz, _ = struct.unpack_from('<III', notes, off)
        name = notes[off + 12: off + 12 + namesz].rstrip(b'\0')
        desc_off = off + 12 + (namesz + 3) // 4 * 4
        if name == b'VMCOREINFO':
            text = notes[desc_off: desc_off + descsz].decode(errors='replace')
            return dict(line.split('=', 1) for line in text.splitlines() if '=' in line)
        off = desc_off + (descsz + 3) // 4 * 4
    return {}


def read_system_map(path, names):
    opener = gzip.open if path.endswith('.gz') else open
    found = {}
    with opener(path, 'rt') as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] in names:
                found[parts[2]] = int(parts[0], 16)
    return found


def runs(dump, first, last, pred):
    """[start, end) runs of consecutive pfns in [first, last) where pred(pfn) is the same."""
    start = first
    for pfn in range(first + 1, last + 1):
        if pfn == last or pred(pfn) != pred(start):
            yield start, pfn, pred(start)
            start = pfn


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('vmcore')
    ap.add_argument('out')
    ap.add_argument('--system-map', default='/usr/lib/debug/boot/System.map-6.1.0-56-amd64')
    args = ap.parse_args()
    d = Kdump(args.vmcore)
    notes = d.notes()
    info = vmcoreinfo(notes)
    kaslr = int(info.get('KERNELOFFSET', '0'), 16)
    syms = read_system_map(args.system_map, {'_text', '_end', 'page_offset_base'})
    page_offset = DEFAULT_PAGE_OFFSET
    if 'page_offset_base' in syms:
        raw = d.read_phys(syms['page_offset_base'] + kaslr - START_KERNEL_MAP + d.phys_base, 8)
        if raw:
            (page_offset,) = struct.unpack('<Q', raw)
    # segments: (vaddr, first pfn, dumped pages, total pages)
    segs = []
    if '_text' in syms and '_end' in syms:
        t0 = (syms['_text'] + kaslr - START_KERNEL_MAP + d.phys_base) // d.bs
        t1 = (syms['_end'] + kaslr - START_KERNEL_MAP + d.phys_base + d.bs - 1) // d.bs
        for s, e, dumped in runs(d, t0, t1, d.is_dumped):
            if dumped:
                segs.append((syms['_text'] + kaslr + (s - t0) * d.bs, s, e - s, e - s))
    for s, e, ram in runs(d, 0, d.max_mapnr, d.is_ram):
        if not ram:
            continue
        for rs, re_, dumped in runs(d, s, e, d.is_dumped):
            if dumped:
                segs.append((page_offset + rs * d.bs, rs, re_ - rs, re_ - rs))
            elif segs and segs[-1][1] + segs[-1][3] == rs and segs[-1][0] >= page_offset and segs[-1][0] < START_KERNEL_MAP:
                v, p, n_dumped, n_total = segs[-1]
                segs[-1] = (v, p, n_dumped, n_total + re_ - rs)   # excluded tail: memsz > filesz
            else:
                segs.append((page_offset + rs * d.bs, rs, 0, re_ - rs))
    phnum = 1 + len(segs)
    note_off = 64 + 56 * phnum
    data_off = (note_off + len(notes) + d.bs - 1) // d.bs * d.bs
    with open(args.out, 'wb') as out:
        ehdr = b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8)
        ehdr += struct.pack('<HHIQQQIHHHHHH', 4, 62, 1, 0, 64, 0, 0, 64, 56, phnum, 0, 0, 0)
        out.write(ehdr)
        out.write(struct.pack('<IIQQQQQQ', 4, 0, note_off, 0, 0, len(notes), len(notes), 0))
        off = data_off
        for vaddr, pfn, n_dumped, n_total in segs:
            filesz = n_dumped * d.bs
            out.write(struct.pack('<IIQQQQQQ', 1, 7, off if filesz else 0, vaddr, pfn * d.bs,
                                  filesz, n_total * d.bs, 0))
            off += filesz
        out.write(notes)
        out.write(bytes(data_off - out.tell()))
        for _, pfn, n_dumped, _ in segs:
            for p in range(pfn, pfn + n_dumped):
                out.write(d.page(p))
    print('%s: %d PT_LOAD, page_offset %#x, phys_base %#x, %d bytes' % (
        args.out, len(segs), page_offset, d.phys_base, off), file=sys.stderr)


if __name__ == '__main__':
    main()

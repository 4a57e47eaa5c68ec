/**
 * Shrinks a real kdump-compressed dump to the pages `ktriage log` and `ktriage sys` read (the
 * printk ring buffer, init_uts_ns, the page-table pages on the way), keeping its real header,
 * notes and VMCOREINFO — a small real fixture for tests of a fresh clone.
 *
 *   npx tsx test/tools/shrink-dump.ts IN.vmcore OUT [--compress keep|zlib|snappy|zstd|none] [--elf] [--flat]
 *     [--only-compressed]
 *
 * Every kept page is the source page, byte for byte (by default even its compressed bytes:
 * `--compress keep`); the first bitmap (RAM present) is kept too,
 * so the pages left out read as "excluded", as in any `-d 31` dump. See test/fixtures/README.md.
 */

import { writeFileSync } from 'node:fs';
import { diagnose } from '../../src/analyze/diagnose.js';
import type { KdumpPhysicalMemory } from '../../src/dump/kdump.js';
import { openDump } from '../../src/dump/open.js';
import type { PhysicalMemory } from '../../src/dump/physical.js';
import { KtriageError } from '../../src/errors.js';
import type { ByteSource } from '../../src/io/byte-source.js';
import { FileSource } from '../../src/io/file-source.js';
import { readKernelLog } from '../../src/kernel/printk/index.js';
import { parseVmcoreInfo } from '../../src/kernel/vmcoreinfo.js';
import { KernelMemory } from '../../src/kernel/x86_64/kernel-memory.js';
import { loadDump } from '../../src/load/dump.js';
import { type DumpContent, toFlattened, type WriteCompression, writeElf, writeKdump } from './dump-writer.js';

/**
 * Pages the whole analysis reads (`ktriage analyze`: log, kallsyms, BTF, tasks, every stack,
 * code, locks): the file offsets it reads are recorded and matched to the pages stored there.
 */
export function pagesReadByAnalyze(path: string): Set<number> {
  const file = new FileSource(path);
  const starts = new Set<number>();
  const recording: ByteSource = {
    size: file.size,
    name: file.name,
    read(offset, length) {
      starts.add(offset);
      return file.read(offset, length);
    },
  };
  diagnose(loadDump(recording, { kernel: true }));
  const dump = openDump(file);
  const memory = dump.physical as KdumpPhysicalMemory;
  const pfns = new Set<number>();
  for (let pfn = 0n; pfn < memory.maxPfn; pfn++) {
    if (memory.pageState(pfn) !== 'present') continue;
    if (starts.has(memory.storedPage(pfn).offset)) pfns.add(Number(pfn));
  }
  file.close();
  return pfns;
}

export function shrinkDump(path: string, alsoKeep: Iterable<number> = []): DumpContent {
  const source = new FileSource(path);
  const dump = openDump(source);
  if (!dump.kdump) throw new KtriageError('unsupported', `${path}: shrink-dump reads kdump-compressed dumps`);
  const inner = dump.physical;
  const pages = new Map<number, Uint8Array>();
  const stored = new Map<number, { data: Uint8Array; flags: number }>();
  const kdumpMemory = inner as KdumpPhysicalMemory;
  const recorder: PhysicalMemory = {
    pageSize: inner.pageSize,
    maxPfn: inner.maxPfn,
    pageState: (pfn) => inner.pageState(pfn),
    readPage: (pfn) => {
      const page = inner.readPage(pfn);
      pages.set(Number(pfn), page.slice());
      const { data, flags } = kdumpMemory.storedPage(pfn);
      stored.set(Number(pfn), { data: data.slice(), flags });
      return page;
    },
  };
  const vmcoreinfo = parseVmcoreInfo(dump.notes.vmcoreinfo ?? '');
  const kernel = new KernelMemory({
    physical: recorder,
    vmcoreinfo,
    cpus: dump.notes.prstatus,
    physBaseHint: dump.kdump.sub.physBase,
  });
  readKernelLog(kernel, vmcoreinfo);
  for (const pfn of alsoKeep) recorder.readPage(BigInt(pfn));
  const uts = vmcoreinfo.symbols.get('init_uts_ns');
  if (uts !== undefined) kernel.readVirt(uts, 6 * 65);
  const header = dump.kdump;
  const noteArea = header.sub.notes;
  const notes = noteArea ? source.read(noteArea.offset, noteArea.size) : new Uint8Array(0);
  const present = kdumpMemory.present;
  return {
    pageSize: inner.pageSize,
    maxPfn: Number(inner.maxPfn),
    pages,
    present: (pfn) => present.isSet(BigInt(pfn)),
    notes,
    vmcoreinfo: dump.notes.vmcoreinfo ?? '',
    kdumpHeader: source.read(0, 464),
    kdumpSubHeader: source.read(header.blockSize, 104),
    stored,
    sourceStatus: header.status,
  };
}

if (process.argv[1]?.endsWith('shrink-dump.ts')) {
  const [input, output, ...flags] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write(
      'usage: shrink-dump IN.vmcore OUT [--compress keep|zlib|snappy|zstd|none] [--elf] [--flat] [--only-compressed] [--for-analyze]\n',
    );
    process.exit(2);
  }
  const at = flags.indexOf('--compress');
  const method = (at >= 0 ? flags[at + 1] : 'keep') as WriteCompression;
  const content = shrinkDump(input, flags.includes('--for-analyze') ? pagesReadByAnalyze(input) : []);
  if (flags.includes('--only-compressed')) {
    // Keep just the pages the source stored compressed (e.g. to pin a decompressor on real data).
    for (const [pfn, page] of content.stored ?? []) if (page.flags === 0) content.pages.delete(pfn);
  }
  let bytes = flags.includes('--elf') ? writeElf(content) : writeKdump(content, method);
  if (flags.includes('--flat')) bytes = toFlattened(bytes);
  writeFileSync(output, bytes);
  process.stderr.write(`${output}: ${content.pages.size} pages kept, ${bytes.length} bytes\n`);
}

/**
 * `kmem ADDR` / `kmem -p` page rows (PAGE PHYSICAL MAPPING INDEX CNT FLAGS + crash's flag names)
 * → PageInfo, and `kmem -i` (PAGES TOTAL PERCENTAGE) → SystemFacts.memoryUsage.
 */

import type { MemoryUsageRow } from '../../../model/index.js';
import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import { hasCjk } from '../lines.js';
import type { CommandParser } from '../parser.js';
import { KMEM_INFO_HEADER, KMEM_INFO_ROW, KMEM_PAGE_HEADER, KMEM_PAGE_ROW } from '../shapes.js';
import { parseSize } from './sys.js';

export const kmemPageParser: CommandParser = {
  name: 'kmem',
  forCommand: (words) => (words[0] ?? '').toLowerCase() === 'kmem' && !words.includes('-i'),
  startsOutput: (lines, i) => {
    const t = lines[i]!.text;
    return (
      KMEM_PAGE_HEADER.test(t) ||
      (KMEM_PAGE_ROW.test(t) && i > 0 && KMEM_PAGE_HEADER.test(lines[i - 1]!.text))
    );
  },
  // kmem ADDR prints other sections too (VIRTUAL/PHYSICAL, slab CACHE rows): after a prompt they
  // are part of the output; pasted alone only the page table is recognised.
  continues: (line, block) =>
    KMEM_PAGE_HEADER.test(line.text) ||
    KMEM_PAGE_ROW.test(line.text) ||
    (block.via === 'prompt' && !hasCjk(line.text) && !/^\s*crash>/.test(line.text)),
  parse: (block, out) => parseKmemPages(block, out),
};

export const kmemInfoParser: CommandParser = {
  name: 'kmem-i',
  forCommand: (words) => (words[0] ?? '').toLowerCase() === 'kmem' && words.includes('-i'),
  startsOutput: (lines, i) => KMEM_INFO_HEADER.test(lines[i]!.text),
  continues: (line) => KMEM_INFO_HEADER.test(line.text) || KMEM_INFO_ROW.test(line.text),
  parse: (block, out) => parseKmemInfo(block, out),
};

function parseKmemPages(block: Block, out: TranscriptBuilder): void {
  for (const line of block.lines) {
    const m = KMEM_PAGE_ROW.exec(line.text);
    if (!m) continue;
    const names = m[7];
    const dashes = (s: string) => /^-+$/.test(s);
    out.page({
      address: BigInt(`0x${m[1]}`),
      physical: BigInt(`0x${m[2]}`),
      ...(dashes(m[3]!) ? {} : { mapping: BigInt(`0x${m[3]}`) }),
      ...(dashes(m[4]!) ? {} : { index: BigInt(`0x${m[4]}`) }),
      refcount: Number(m[5]),
      flags: BigInt(`0x${m[6]}`),
      ...(names ? { flagNames: names.split(',').filter((n) => n !== '') } : {}),
      evidence: [evidenceFor(block, line)],
    });
  }
}

function parseKmemInfo(block: Block, out: TranscriptBuilder): void {
  const usage: Record<string, MemoryUsageRow> = {};
  for (const line of block.lines) {
    const m = KMEM_INFO_ROW.exec(line.text);
    if (!m) continue;
    const row: MemoryUsageRow = { pages: Number(m[2]), evidence: evidenceFor(block, line) };
    const bytes = parseSize(m[3]!);
    if (bytes !== undefined) row.bytes = bytes;
    if (m[4] !== undefined) row.percent = Number(m[4]);
    usage[m[1]!] = row;
  }
  if (Object.keys(usage).length === 0) return;
  const sys = out.crash.system;
  sys.memoryUsage = { ...usage, ...(sys.memoryUsage ?? {}) };
}

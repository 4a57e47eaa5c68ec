/**
 * `kmem ADDR` / `kmem -p` page rows (PAGE PHYSICAL MAPPING INDEX CNT FLAGS + crash's flag names)
 * → PageInfo, and `kmem -i` (PAGES TOTAL PERCENTAGE) → SystemFacts.memoryUsage.
 */

import type { MemoryUsageRow } from '../../../model/index.js';
import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import { hasCjk, type Line } from '../lines.js';
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

/** `kmem ADDR` of a task_struct also prints the task: `PID:`, `COMMAND:`, `TASK: … [THREAD_INFO: …]`, `CPU:`, `STATE:`. */
const KMEM_TASK = /^\s*(PID|COMMAND|TASK|CPU|STATE):\s+(.*)$/;

function parseKmemTask(block: Block, out: TranscriptBuilder): void {
  const fields: Record<string, string> = {};
  let first: Line | undefined;
  for (const line of block.lines) {
    const m = KMEM_TASK.exec(line.text);
    if (!m) continue;
    first ??= line;
    fields[m[1]!] ??= m[2]!.trim();
  }
  const pid = fields.PID === undefined ? undefined : Number(fields.PID);
  const task = /^([0-9a-f]{8,16})(?:\s+\[THREAD_INFO:\s*([0-9a-f]{8,16})\])?/.exec(fields.TASK ?? '');
  if (pid === undefined || !Number.isSafeInteger(pid) || !task || !first) return;
  const comm = /^"(.*)"$/.exec(fields.COMMAND ?? '')?.[1];
  const cpu = fields.CPU !== undefined && /^\d+$/.test(fields.CPU) ? Number(fields.CPU) : undefined;
  out.task(
    {
      pid,
      task: BigInt(`0x${task[1]}`),
      ...(task[2] ? { threadInfo: BigInt(`0x${task[2]}`) } : {}),
      ...(comm !== undefined ? { comm } : {}),
      ...(cpu !== undefined ? { cpu } : {}),
    },
    evidenceFor(block, first),
  );
}

function parseKmemPages(block: Block, out: TranscriptBuilder): void {
  parseKmemTask(block, out);
  // Other tables of `kmem ADDR` (the SLAB row) have the same shape: only rows under a PAGE header count.
  let underHeader = false;
  for (const line of block.lines) {
    if (KMEM_PAGE_HEADER.test(line.text)) underHeader = true;
    else if (!KMEM_PAGE_ROW.test(line.text)) underHeader = false;
    if (!underHeader) continue;
    const m = KMEM_PAGE_ROW.exec(line.text);
    if (!m) continue;
    const names = m[7];
    const dashes = (s: string) => /^-+$/.test(s);
    const address = BigInt(`0x${m[1]}`);
    // struct page begins with `unsigned long flags` in every kernel version: on a 64-bit kernel
    // (16-digit page addresses) the FLAGS column is the 8-byte word at the page's address.
    if (m[1]!.length === 16)
      out.memory.addWord(address, BigInt(`0x${m[6]}`), 8, evidenceFor(block, line, undefined, { address }));
    out.page({
      address,
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

/** `list [-h] [struct.member] START`: one address per line → Crash.lists. */

import { type Block, evidenceFor } from '../block.js';
import { appendTo, type TranscriptBuilder } from '../builder.js';
import type { CommandParser } from '../parser.js';
import { BARE_ADDRESS } from '../shapes.js';

export const listParser: CommandParser = {
  name: 'list',
  forCommand: (words) => (words[0] ?? '').toLowerCase() === 'list',
  // Pasted alone, a list needs a few addresses in a row to be told from a stray hex number.
  startsOutput: (lines, i) =>
    [0, 1, 2].every((k) => i + k < lines.length && BARE_ADDRESS.test(lines[i + k]!.text)),
  continues: (line) => BARE_ADDRESS.test(line.text),
  parse: (block, out) => parseList(block, out),
};

function parseList(block: Block, out: TranscriptBuilder): void {
  const addresses: bigint[] = [];
  for (const line of block.lines) {
    const m = BARE_ADDRESS.exec(line.text);
    if (m) addresses.push(BigInt(`0x${m[1]}`));
  }
  if (addresses.length === 0) return;
  const first = block.lines[0]!;
  out.crash.lists = appendTo(out.crash.lists, {
    command: block.command,
    addresses,
    evidence: evidenceFor(block, first, block.lines[block.lines.length - 1]),
  });
}

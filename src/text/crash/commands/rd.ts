/**
 * `rd [-8|-16|-32|-64] ADDR|symbol [count]`: `ffffffffc046a3c0:  0000000000000008   ........` →
 * words of the MemoryView. Physical (`-p`), user (`-u`), decimal (`-d`/`-D`) and ASCII (`-a`) reads
 * are not kernel-virtual hex words and stay out of the view.
 */

import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import type { CommandParser } from '../parser.js';
import { WORDS } from '../shapes.js';

export const rdParser: CommandParser = {
  name: 'rd',
  forCommand: (words) => (words[0] ?? '').toLowerCase() === 'rd',
  startsOutput: (lines, i) => WORDS.test(lines[i]!.text),
  continues: (line) => WORDS.test(line.text),
  parse: (block, out) => parseRd(block, out),
};

function parseRd(block: Block, out: TranscriptBuilder): void {
  const args = block.command.split(/\s+/).slice(1);
  if (args.some((a) => /^-\w*[pudDaSN]/.test(a) && !/^-(8|16|32|64)$/.test(a))) return;
  for (const line of block.lines) {
    const m = WORDS.exec(line.text);
    if (!m) continue;
    let address = BigInt(`0x${m[1]}`);
    const tokens = m[2]!.trim().split(/\s+/);
    const width = tokens[0]!.length;
    if (![2, 4, 8, 16].includes(width)) continue;
    const size = width / 2;
    for (const token of tokens.slice(0, 16)) {
      if (token.length !== width || !/^[0-9a-fA-F]+$/.test(token)) break;
      out.memory.addWord(address, BigInt(`0x${token}`), size, evidenceFor(block, line));
      address += BigInt(size);
    }
  }
}

/**
 * `sym NAME|ADDR`: `ffffffffc04f93c4 (B) lab_lock_a [lab_abba]`,
 * `ffffffff81178b60 (T) put_compound_page+336 /usr/src/…/mm/swap.c: 123` → symbol starts.
 */

import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import type { CommandParser } from '../parser.js';
import { SYM_LINE } from '../shapes.js';
import { parseSymbolOffset } from './bt-context.js';

export const symParser: CommandParser = {
  name: 'sym',
  forCommand: (words) => (words[0] ?? '').toLowerCase() === 'sym',
  startsOutput: (lines, i) => SYM_LINE.test(lines[i]!.text),
  continues: (line) => SYM_LINE.test(line.text),
  parse: (block, out) => parseSym(block, out),
};

function parseSym(block: Block, out: TranscriptBuilder): void {
  for (const line of block.lines) {
    const m = SYM_LINE.exec(line.text);
    if (!m) continue;
    const address = BigInt(`0x${m[1]}`);
    const offset = m[4] === undefined ? 0 : (parseSymbolOffset(m[4]) ?? 0);
    out.symbols.learnOffset(m[3]!, offset, address, {
      type: m[2]!,
      ...(m[5] ? { module: m[5] } : {}),
      evidence: evidenceFor(block, line, undefined, { address }),
    });
  }
}

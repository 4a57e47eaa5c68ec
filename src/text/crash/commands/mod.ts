/** `mod`: MODULE NAME BASE SIZE OBJECT FILE rows → Crash.modules. */

import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import type { CommandParser } from '../parser.js';
import { MOD_HEADER, MOD_ROW } from '../shapes.js';

export const modParser: CommandParser = {
  name: 'mod',
  forCommand: (words) => (words[0] ?? '').toLowerCase() === 'mod',
  startsOutput: (lines, i) => MOD_HEADER.test(lines[i]!.text),
  continues: (line) => MOD_HEADER.test(line.text) || MOD_ROW.test(line.text),
  parse: (block, out) => parseMod(block, out),
};

function parseMod(block: Block, out: TranscriptBuilder): void {
  for (const line of block.lines) {
    const m = MOD_ROW.exec(line.text);
    if (!m) continue;
    out.module({
      name: m[2]!,
      module: BigInt(`0x${m[1]}`),
      base: BigInt(`0x${m[3]}`),
      size: Number(m[4]),
      objectFile: m[5]!.replace(/\s*\[CONFIG_KALLSYMS\]\s*$/, '').trim(),
      evidence: evidenceFor(block, line),
    });
  }
}

/**
 * `dis` / `dis -l`: `0xffffffff81178b5c <put_compound_page+332>:\tmov    (%r12),%rax`, with the
 * source lines `dis -l` prints before each run of instructions. Each line becomes an Instruction
 * with its AT&T operands parsed (memory operand, immediate, branch target); lengths come from the
 * next printed address, which also resolves RIP-relative operands.
 */

import { parseAttOperands } from '../../../kernel/x86_64/att-operand.js';
import type { Instruction } from '../../../model/index.js';
import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import type { CommandParser } from '../parser.js';
import { DIS_LINE, SOURCE_LINE } from '../shapes.js';

const PREFIXES = new Set([
  'lock',
  'rep',
  'repz',
  'repnz',
  'repe',
  'repne',
  'data16',
  'data32',
  'addr32',
  'cs',
  'ds',
  'ss',
  'es',
  'fs',
  'gs',
  'notrack',
  'bnd',
  'xacquire',
  'xrelease',
  'rex',
  'rex.w',
]);

export const disParser: CommandParser = {
  name: 'dis',
  forCommand: (words) => (words[0] ?? '').toLowerCase() === 'dis',
  startsOutput: (lines, i) =>
    DIS_LINE.test(lines[i]!.text) ||
    (SOURCE_LINE.test(lines[i]!.text) && i + 1 < lines.length && DIS_LINE.test(lines[i + 1]!.text)),
  continues: (line) => DIS_LINE.test(line.text) || SOURCE_LINE.test(line.text),
  parse: (block, out) => parseDis(block, out),
};

/** `lock btsl $0x18,(%r12)` → mnemonic `lock btsl`, operands `$0x18,(%r12)`. */
export function splitInstruction(text: string): { mnemonic: string; operands: string } {
  const trimmed = text.trim();
  const tokens = trimmed.split(/\s+/);
  let i = 0;
  while (i < tokens.length - 1 && PREFIXES.has(tokens[i]!.toLowerCase())) i++;
  const mnemonic = tokens.slice(0, i + 1).join(' ');
  // Operands: the original text after the mnemonic's last token.
  let pos = 0;
  for (let k = 0; k <= i; k++) pos = trimmed.indexOf(tokens[k]!, pos) + tokens[k]!.length;
  return { mnemonic, operands: trimmed.slice(pos).trim() };
}

function parseDis(block: Block, out: TranscriptBuilder): void {
  let source: string | undefined;
  const printed: Instruction[] = [];
  for (const line of block.lines) {
    const src = SOURCE_LINE.exec(line.text);
    if (src) {
      source = `${src[1]}: ${src[2]}`;
      continue;
    }
    const m = DIS_LINE.exec(line.text);
    if (!m) continue;
    const address = BigInt(`0x${m[1]}`);
    const fn = m[2]!;
    const offset = m[3] === undefined ? 0 : Number(m[3]);
    const { mnemonic, operands } = splitInstruction(m[4]!);
    const parsed = parseAttOperands(mnemonic, operands);
    const ins: Instruction = {
      address,
      fn,
      offset,
      mnemonic,
      operands: operands.replace(/\s*\[[A-Z][A-Z ]*\]\s*$/, ''),
      evidence: evidenceFor(block, line, undefined, { address }),
    };
    if (parsed.memory) ins.memory = { ...parsed.memory };
    if (parsed.immediate !== undefined) ins.immediate = parsed.immediate;
    if (parsed.target !== undefined) ins.target = parsed.target;
    if (ins.memory && parsed.commentAddress !== undefined) ins.memory.absolute = parsed.commentAddress;
    else if (
      ins.memory &&
      !ins.memory.base &&
      !ins.memory.index &&
      !ins.memory.ripRelative &&
      !ins.memory.segment
    )
      ins.memory.absolute = ins.memory.displacement;
    if (source !== undefined) ins.source = source;
    out.symbols.learnOffset(fn, offset, address);
    printed.push(ins);
  }
  for (let i = 0; i + 1 < printed.length; i++) {
    const ins = printed[i]!;
    const next = printed[i + 1]!;
    const gap = next.address - ins.address;
    if (gap > 0n && gap <= 15n && next.fn === ins.fn) ins.length = Number(gap);
    if (ins.memory?.ripRelative && ins.length !== undefined && ins.memory.absolute === undefined)
      ins.memory.absolute = ins.address + BigInt(ins.length) + ins.memory.displacement;
  }
  for (const ins of printed) out.instruction(ins);
}

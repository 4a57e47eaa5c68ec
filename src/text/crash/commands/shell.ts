/**
 * Shell pipelines around crash output and crash's own pipes that end in a count:
 * `grep put_compound_page -B 10 -A 5 caq_bt_all.txt | grep fas_readwriter | wc -l` → 34, with
 * the grep patterns and their `-v` flags (ShellCount). Also `grep -c`.
 */

import type { ShellCount } from '../../../model/index.js';
import { type Block, evidenceFor, splitPipeline, words } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import type { CommandParser } from '../parser.js';
import { COUNT_LINE } from '../shapes.js';

export const shellParser: CommandParser = {
  name: 'shell',
  forCommand: () => false,
  continues: (line, block) => COUNT_LINE.test(line.text) && block.lines.length === 0,
  parse: (block, out) => parseShell(block, out),
};

/** grep options that take an argument. */
const WITH_ARGUMENT = new Set([
  '-A',
  '-B',
  '-C',
  '-m',
  '-e',
  '-f',
  '--regexp',
  '--file',
  '--max-count',
  '-d',
  '-D',
]);

export function grepPatterns(command: string): ShellCount['patterns'] {
  const patterns: ShellCount['patterns'] = [];
  for (const stage of splitPipeline(command)) {
    const w = words(stage);
    if (!/^(grep|egrep|fgrep|zgrep|rg)$/.test(w[0] ?? '')) continue;
    let invert = false;
    let pattern: string | undefined;
    for (let i = 1; i < w.length; i++) {
      const word = w[i]!;
      if (word === '-e' || word === '--regexp') {
        pattern ??= w[i + 1];
        i++;
      } else if (WITH_ARGUMENT.has(word)) i++;
      else if (/^--?\w/.test(word)) {
        if (/^-[a-zA-Z]*v/.test(word) || word === '--invert-match') invert = true;
      } else if (pattern === undefined) pattern = word;
    }
    if (pattern !== undefined) patterns.push({ pattern, invert });
  }
  return patterns;
}

function parseShell(block: Block, out: TranscriptBuilder): void {
  const countLine = block.lines.find((l) => COUNT_LINE.test(l.text));
  if (!countLine) return;
  const count = Number(COUNT_LINE.exec(countLine.text)![1]);
  out.shellCount({
    command: block.command,
    patterns: grepPatterns(block.command),
    count,
    evidence: evidenceFor(block, block.promptLine ?? countLine, countLine),
  });
}

/** Commands no parser reads: their output is kept out of the model (and out of shape inference). */
export const noneParser: CommandParser = {
  name: 'none',
  forCommand: () => false,
  continues: (line) => !/[\u2e80-\u9fff\uac00-\ud7af]/.test(line.text),
  parse: () => {},
};

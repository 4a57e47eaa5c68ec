/**
 * The contract of a per-command parser (one module per crash command, like one rule per file):
 * which commands it reads, which lines can start its output when there is no prompt, which lines
 * continue it, and how it fills the builder.
 */

import type { Block } from './block.js';
import type { TranscriptBuilder } from './builder.js';
import type { Line } from './lines.js';

export interface CommandParser {
  name: string;
  /** Reads the output of this command (`words` = the command's words, pipes and redirects removed). */
  forCommand(words: string[]): boolean;
  /** Output of this command pasted without a prompt may start at `lines[i]` (lookahead allowed). */
  startsOutput?(lines: readonly Line[], i: number): boolean;
  /** The line belongs to this command's output (blank lines are handled by the segmenter). */
  continues(line: Line, block: Block): boolean;
  parse(block: Block, out: TranscriptBuilder): void;
}

/** Words of the command without pipes/redirects, lower-cased first word. */
export function firstWord(words: string[]): string {
  return (words[0] ?? '').toLowerCase();
}

/**
 * A command block: one command's output as found in a transcript — after a `crash>` prompt, after
 * a shell prompt, or pasted with no prompt at all (then the command is inferred from the shape).
 */

import type { Evidence } from '../../model/index.js';
import type { Line } from './lines.js';

export interface Block {
  /** Command text after the prompt, or the inferred command (`bt`) when there was none. */
  command: string;
  via: 'prompt' | 'shell' | 'shape';
  /** Name of the parser that reads it (`bt`, `sys`, …, `shell`, `none`). */
  parser: string;
  /** Line of the prompt, when there was one. */
  promptLine?: Line;
  lines: Line[];
  /** The output went through `| grep …` (crash pipes): it is a filtered subset. */
  filtered?: boolean;
}

/** Command words (`bt -a | grep x` → `bt`, `-a`), the pipeline stages and a `> file` redirect split off. */
export interface CommandParts {
  words: string[];
  stages: string[][];
  redirected: boolean;
}

export function commandParts(command: string): CommandParts {
  const stages = splitPipeline(command).map(words);
  const first = stages[0] ?? [];
  const redirectAt = first.findIndex((w) => w === '>' || w === '>>' || /^>>?\S/.test(w));
  const redirected = redirectAt >= 0 || stages.some((s) => s.some((w) => w === '>' || /^>\S/.test(w)));
  const cmdWords = redirectAt >= 0 ? first.slice(0, redirectAt) : first;
  return { words: cmdWords, stages, redirected };
}

/** Splits at `|` outside quotes. */
export function splitPipeline(command: string): string[] {
  const stages: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of command) {
    if (quote) {
      if (ch === quote) quote = undefined;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === '|') {
      stages.push(current.trim());
      current = '';
    } else current += ch;
  }
  stages.push(current.trim());
  return stages.filter((s) => s !== '');
}

/** Shell-like word split honouring quotes (quotes removed). */
export function words(stage: string): string[] {
  const out: string[] = [];
  for (const m of stage.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

export function evidenceFor(block: Block, first: Line, last?: Line, extra: Partial<Evidence> = {}): Evidence {
  const ev: Evidence = {
    source: 'transcript',
    line: first.n,
    command: block.command,
    // what crash printed, without the annotation a person appended to it
    text: (first.text.trim() || first.raw.trim()).slice(0, 200),
    ...extra,
  };
  if (last && last.n !== first.n) ev.endLine = last.n;
  if (block.via === 'shape' && ev.note === undefined)
    ev.note = 'pasted without a prompt: command inferred from the output';
  return ev;
}

export function blockEvidence(block: Block, extra: Partial<Evidence> = {}): Evidence | undefined {
  const first = block.promptLine ?? block.lines[0];
  if (!first) return undefined;
  return evidenceFor(block, first, block.lines[block.lines.length - 1], extra);
}

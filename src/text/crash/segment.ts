/**
 * Splits a transcript into command blocks. A block starts at a `crash>` prompt, at a shell prompt
 * (`[user@host dir]# grep … | wc -l`, `# grep …`, `$ …`, or a bare `grep …` line), or — for output
 * pasted without any prompt — at a line whose shape only one command prints (`PID: … TASK: …`,
 * `KERNEL: …`, `PAGE PHYSICAL MAPPING …`). A block ends at the next prompt or at a line its command
 * could not have printed (prose between commands), so a remark in any language never becomes data.
 */

import { type Block, commandParts } from './block.js';
import { hasCjk, type Line } from './lines.js';
import type { CommandParser } from './parser.js';
import { BARE_SHELL_PROMPT, CRASH_PROMPT, SHELL_COMMANDS, SHELL_PROMPT } from './shapes.js';

export interface Registry {
  /** Parsers in the order they are tried on a line pasted without a prompt. */
  parsers: CommandParser[];
  shell: CommandParser;
  none: CommandParser;
}

export function parserForCommand(
  registry: Registry,
  command: string,
): { parser: CommandParser; filtered: boolean } {
  const parts = commandParts(command);
  const counting = parts.stages.length > 1 && isCountingPipeline(parts.stages);
  if (counting) return { parser: registry.shell, filtered: false };
  const parser = registry.parsers.find((p) => p.forCommand(parts.words)) ?? registry.none;
  const filtered = parts.stages
    .slice(1)
    .some((s) => /^(grep|egrep|fgrep|head|tail|sed|awk)$/.test(s[0] ?? ''));
  return { parser, filtered };
}

/** `… | wc -l` or `grep -c …`: the output is a number. */
export function isCountingPipeline(stages: string[][]): boolean {
  const last = stages[stages.length - 1] ?? [];
  if (last[0] === 'wc' && last.includes('-l')) return true;
  return last[0] === 'grep' && last.some((w) => /^-\w*c/.test(w));
}

export function shellCommand(text: string): string | undefined {
  const prompt = SHELL_PROMPT.exec(text);
  if (prompt) return prompt[1]!.trim();
  const bare = BARE_SHELL_PROMPT.exec(text);
  if (bare && SHELL_COMMANDS.test(bare[1]!)) return bare[1]!.trim();
  const plain = text.trim();
  // A bare `grep pattern file` line with no prompt, as people paste them between outputs.
  if (
    SHELL_COMMANDS.test(plain) &&
    /^\S+\s+\S/.test(plain) &&
    !hasCjk(plain) &&
    /^(grep|egrep|zgrep|cat|zcat|wc)\b/.test(plain)
  )
    return plain;
  return undefined;
}

/** crash's own error line for the command (`p: gdb request failed: …`, `bt: invalid task or pid value: …`). */
export function isCommandError(block: Block, text: string): boolean {
  if (block.via === 'shape') return false;
  const word = block.command.split(/[\s/|]/)[0];
  return word !== undefined && word !== '' && text.startsWith(`${word}: `);
}

export function segment(lines: readonly Line[], registry: Registry): Block[] {
  const blocks: Block[] = [];
  let open: { block: Block; parser: CommandParser } | undefined;
  let blanks: Line[] = [];

  const close = () => {
    if (open) blocks.push(open.block);
    open = undefined;
    blanks = [];
  };
  const start = (block: Block, parser: CommandParser) => {
    close();
    open = { block, parser };
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const text = line.text;
    const prompt = CRASH_PROMPT.exec(text);
    if (prompt) {
      const command = prompt[1]!.trim();
      const { parser, filtered } = parserForCommand(registry, command);
      start(
        {
          command,
          via: 'prompt',
          parser: parser.name,
          promptLine: line,
          lines: [],
          ...(filtered ? { filtered } : {}),
        },
        parser,
      );
      continue;
    }
    const shell = shellCommand(text);
    if (shell !== undefined) {
      const { parser, filtered } = parserForCommand(registry, shell);
      const chosen = parser === registry.shell || parser === registry.none ? registry.shell : parser;
      start(
        {
          command: shell,
          via: 'shell',
          parser: chosen.name,
          promptLine: line,
          lines: [],
          ...(filtered ? { filtered } : {}),
        },
        chosen,
      );
      continue;
    }
    if (text.trim() === '') {
      if (open) blanks.push(line);
      continue;
    }
    if (open && (open.parser.continues(line, open.block) || isCommandError(open.block, text))) {
      open.block.lines.push(...blanks, line);
      blanks = [];
      continue;
    }
    // Output with no prompt: which command prints lines of this shape?
    const inferred = registry.parsers.find((p) => p.startsOutput?.(lines, i));
    if (inferred) {
      start({ command: inferred.name, via: 'shape', parser: inferred.name, lines: [line] }, inferred);
      continue;
    }
    close();
  }
  close();
  return blocks.filter((b) => b.lines.length > 0 || b.promptLine !== undefined);
}

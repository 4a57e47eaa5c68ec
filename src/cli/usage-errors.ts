/**
 * commander's own messages ("error: unknown option '--jsn'\n(Did you mean --json?)") rewritten as
 * the one `ktriage: …` line every other error gets, with where to read the usage.
 */

import type { Command } from 'commander';

export function oneLineUsageError(message: string, command: string): string {
  const text = message
    .replace(/^error:\s*/i, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return `ktriage: ${text} (see \`ktriage ${command ? `${command} ` : ''}--help\`)\n`;
}

/** Applies to the program and each of its commands (each names its own --help). */
export function oneLineUsageErrors(program: Command): void {
  for (const command of [program, ...program.commands]) {
    const name = command === program ? '' : command.name();
    command.configureOutput({ outputError: (message, write) => write(oneLineUsageError(message, name)) });
  }
}

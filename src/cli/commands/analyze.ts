/**
 * `ktriage analyze FILE…`: load each input, diagnose it, render it. With several files and --json,
 * one JSON document per line (JSON Lines) from one process, so thousands of logs take seconds;
 * a file that cannot be read yields an error line and the batch goes on.
 */

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { skipPattern } from '../../analyze/classify/title.js';
import { diagnose } from '../../analyze/diagnose.js';
import { KtriageError } from '../../errors.js';
import type { ByteSource } from '../../io/byte-source.js';
import { loadInput } from '../../load/load.js';
import { openSymbolsFile } from '../../load/symbols-file.js';
import { buildDocument } from '../../report/build.js';
import { renderHtml } from '../../report/html.js';
import { REPORT_SCHEMA, renderJson } from '../../report/json.js';
import { renderMarkdown } from '../../report/markdown.js';
import { chooseStyle } from '../../report/style.js';
import { renderText } from '../../report/text.js';
import { describeError, exitCodeFor } from '../fail.js';
import { parseTimeZone } from '../time-zone.js';
import { ttyProgress } from './progress.js';

interface AnalyzeOptions {
  json?: boolean;
  markdown?: boolean;
  html?: boolean;
  output?: string;
  pretty?: boolean;
  color?: boolean;
  tz?: string;
  symbols?: string;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description(
      'diagnose a crash from a vmcore, a console/vmcore-dmesg log or a crash transcript (- = stdin)',
    )
    .argument(
      '<files...>',
      'inputs: ELF / kdump-compressed / flattened vmcore, kernel log, crash session text',
    )
    .option('--json', 'JSON (schema ktriage/report@1); one document per line with several files')
    .option('--markdown', 'Markdown, for tickets and chats')
    .option('--html', 'one self-contained HTML page')
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--pretty', 'indent JSON (single file)')
    .option('--color', 'force colours in the terminal report')
    .option('--no-color', 'no colours')
    .option(
      '--symbols <file>',
      'System.map or vmlinux, for vmcores whose kernel has no kallsyms in VMCOREINFO (< 6.0)',
    )
    .option('--tz <zone>', 'time zone for dates (IANA name; default: local)', parseTimeZone)
    .action(async (files: string[], options: AnalyzeOptions) => {
      const formats = [options.json, options.markdown, options.html].filter(Boolean).length;
      if (formats > 1) throw new KtriageError('usage', 'choose one of --json, --markdown, --html');
      const symbolsFile = options.symbols ? openSymbolsFile(options.symbols) : undefined;
      const chunks: string[] = [];
      let firstError: unknown;
      for (const [i, file] of files.entries()) {
        try {
          chunks.push(await analyzeOne(file, options, files.length > 1 && i > 0, symbolsFile));
        } catch (error) {
          firstError ??= error;
          if (options.json) chunks.push(`${JSON.stringify(errorJson(file, error))}\n`);
          process.stderr.write(`ktriage: ${describeError(error)}\n`);
        }
        if (!options.output) flush(chunks);
      }
      if (options.output) writeFileSync(options.output, chunks.join(''));
      if (firstError !== undefined) process.exitCode = exitCodeFor(firstError);
    });
}

function flush(chunks: string[]): void {
  for (const chunk of chunks.splice(0)) process.stdout.write(chunk);
}

async function analyzeOne(
  file: string,
  options: AnalyzeOptions,
  separate: boolean,
  symbolsFile?: ByteSource,
): Promise<string> {
  const progress = ttyProgress();
  try {
    const crash = await loadInput(file, {
      progress,
      ...(options.tz ? { timeZone: options.tz } : {}),
      ...(symbolsFile ? { symbolsFile } : {}),
    });
    progress.done();
    const diagnosis = diagnose(crash);
    if (options.json) return `${renderJson(crash, diagnosis, options.pretty)}\n`;
    const generic = skipPattern([]);
    const doc = buildDocument(crash, diagnosis, { isGenericFrame: (fn) => generic.test(fn) });
    if (options.markdown) return `${separate ? '\n---\n\n' : ''}${renderMarkdown(doc)}`;
    if (options.html) return renderHtml(doc);
    const style = chooseStyle(options.output ? false : options.color, process.stdout);
    const width = process.stdout.isTTY ? Math.max(60, Math.min(process.stdout.columns || 100, 140)) : 100;
    return `${separate ? `\n${'═'.repeat(78)}\n` : ''}${renderText(doc, style, width)}`;
  } finally {
    progress.done();
  }
}

function errorJson(path: string, error: unknown): object {
  return {
    schema: REPORT_SCHEMA,
    input: { path },
    error: {
      kind: error instanceof KtriageError ? error.kind : 'internal',
      exitCode: exitCodeFor(error),
      message: describeError(error),
    },
  };
}

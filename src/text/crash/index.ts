/**
 * The crash-transcript source: `parseCrashTranscript(text, input)` reads a pasted `crash` session
 * (prompts, shell lines, prose, or bare command output) into the model, one parser per command;
 * `looksLikeCrashTranscript(text)` tells a transcript from a console log for input detection.
 * Parses what is there, skips what is not, never invents data, never throws on text.
 */

import type { Crash, InputInfo } from '../../model/index.js';
import { blockEvidence, evidenceFor } from './block.js';
import { TranscriptBuilder } from './builder.js';
import { btParser } from './commands/bt.js';
import { disParser } from './commands/dis.js';
import { kmemInfoParser, kmemPageParser } from './commands/kmem.js';
import { listParser } from './commands/list.js';
import { logParser } from './commands/log.js';
import { modParser } from './commands/mod.js';
import { psParser } from './commands/ps.js';
import { rdParser } from './commands/rd.js';
import { runqParser } from './commands/runq.js';
import { noneParser, shellParser } from './commands/shell.js';
import { structParser } from './commands/struct.js';
import { symParser } from './commands/sym.js';
import { sysParser } from './commands/sys.js';
import { finish } from './finish.js';
import { splitLines } from './lines.js';
import type { CommandParser } from './parser.js';
import { isCommandError, type Registry, segment } from './segment.js';
import { CONFIG_LINE, CONFIG_UNSET } from './shapes.js';
import { scoreTranscript } from './sniff.js';
import { unwrap } from './unwrap.js';

/** Order matters for output pasted without a prompt: the first parser whose shape matches reads it. */
const PARSERS: CommandParser[] = [
  btParser,
  sysParser,
  psParser,
  kmemPageParser,
  kmemInfoParser,
  disParser,
  symParser,
  runqParser,
  modParser,
  structParser,
  logParser,
  rdParser,
  listParser,
];

const REGISTRY: Registry = { parsers: PARSERS, shell: shellParser, none: noneParser };
const BY_NAME = new Map([...PARSERS, shellParser, noneParser].map((p) => [p.name, p]));

/** Inputs larger than this are read up to the limit (a transcript is text a person pasted). */
const MAX_TEXT = 64 * 1024 * 1024;

export function parseCrashTranscript(text: string, input: InputInfo): Crash {
  const out = new TranscriptBuilder(input);
  const source = typeof text === 'string' ? text : '';
  const lines = unwrap(splitLines(source.length > MAX_TEXT ? source.slice(0, MAX_TEXT) : source));
  if (source.length > MAX_TEXT)
    out.gap('the end of the input', `only the first ${MAX_TEXT} characters were read`);
  const blocks = segment(lines, REGISTRY);
  for (const block of blocks) {
    out.blocks.push(block);
    BY_NAME.get(block.parser)?.parse(block, out);
    const error = block.lines.find((l) => isCommandError(block, l.text));
    if (error) out.gap(`\`${block.command}\``, `crash said: ${error.text.trim()}`, evidenceFor(block, error));
  }
  for (const line of lines) {
    const set = CONFIG_LINE.exec(line.text);
    if (set) out.crash.config[set[1]!] ??= set[2]!;
    const unset = CONFIG_UNSET.exec(line.text);
    if (unset) out.crash.config[unset[1]!] ??= 'n';
  }
  out.crash.transcript = blocks.map((b) => {
    const ev = blockEvidence(b);
    return {
      command: b.command,
      via: b.via,
      parser: b.parser,
      startLine: ev?.line ?? 0,
      endLine: ev?.endLine ?? ev?.line ?? 0,
    };
  });
  return finish(out);
}

/** True when the text reads as crash output (prompts, bt frames, sys/ps tables) rather than a console log. */
export function looksLikeCrashTranscript(text: string): boolean {
  return scoreTranscript(text).transcript;
}

export type { Block } from './block.js';

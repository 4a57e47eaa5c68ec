/**
 * Transcript lines as people paste them: CRLF, non-breaking and ideographic spaces, HTML leftovers
 * from forum pages (`&gt;`, `<br>`), and annotations appended to output lines in any language
 * (`------- this is the RIP`, `-----------这个RIP`, `<-- here`), line numbers a code block copied
 * (numbering.ts). `clean` keeps the crash output and drops the rest; `raw` keeps the line verbatim
 * for evidence.
 */

import { numberPrefixes } from './numbering.js';

export interface Line {
  /** 1-based line number in the input. */
  n: number;
  raw: string;
  /** `raw` without mail quoting and terminal escapes: what the command printed, annotations and all. */
  plain: string;
  text: string;
}

/** Longest line we look at; longer ones are cut (a pasted binary blob must not cost quadratic time). */
const MAX_LINE = 4096;

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
};

const HTML_TAG =
  /<\/?(?:br|p|div|span|pre|code|font|td|tr|table|tbody|li|ul|ol|b|i|em|strong|a|img|hr)\b[^<>]{0,200}>/gi;

export function splitLines(text: string): Line[] {
  const raws = text.split(/\r?\n|\r/);
  const numbers = numberPrefixes(raws);
  const lines: Line[] = [];
  let regionDepth: number | undefined;
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i]!;
    const unnumbered = numbers[i] ? raw.slice(numbers[i]) : raw;
    const { depth, rest } = quoteDepth(unnumbered);
    if (rest.trim() !== '' && !PS_ROW_TAIL.test(rest)) regionDepth = depth;
    const plain = stripEscapes(unquoteMail(unnumbered, regionDepth));
    lines.push({ n: i + 1, raw, plain, text: cleanLine(plain) });
  }
  return lines;
}

/** Terminal colour and title escapes (`\x1b[01;32m`), as a `script` log or a coloured prompt leaves them. */
export function stripEscapes(s: string): string {
  return s.includes('\x1b') ? s.replace(/\x1b\[[0-9;?]{0,20}[A-Za-z]|\x1b\][^\x07]{0,200}\x07/g, '') : s;
}

export function cleanLine(raw: string): string {
  let s = raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw;
  s = s.replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, ' ').replace(/[\u200b-\u200d\u2060\ufeff]/g, '');
  s = stripEscapes(s);
  if (s.includes('&')) s = s.replace(/&(#\d{1,5}|[a-z]{2,5});/gi, (m, name: string) => decodeEntity(m, name));
  if (s.includes('<')) s = s.replace(HTML_TAG, ' ');
  s = stripAnnotation(s);
  return s.replace(/\s+$/, '');
}

function decodeEntity(match: string, name: string): string {
  const known = ENTITIES[name.toLowerCase()];
  if (known !== undefined) return known;
  if (name.startsWith('#')) {
    const code = Number(name.slice(1));
    if (code >= 32 && code < 0x10000) return String.fromCharCode(code);
  }
  return match;
}

/**
 * Mail quoting (`> crash> bt`, `> > PID: …`) comes off. A `ps` row may carry crash's own `>` (the
 * active task): quoting is known from the lines around it, so only that many `>` are removed there.
 */
const MAIL_QUOTE = /^\s{0,3}(?:>[ \t]?){1,8}/;
const PS_ROW_TAIL = /^\s*\d+\s+-?\d+\s+(?:\d+|-)\s+[0-9a-fA-F]{8,16}\s+[A-Z?]{2}\s/;

function quoteDepth(s: string): { depth: number; rest: string } {
  const m = MAIL_QUOTE.exec(s);
  if (!m) return { depth: 0, rest: s };
  return { depth: m[0].replace(/\s/g, '').length, rest: s.slice(m[0].length) };
}

/** Removes `depth` levels of mail quoting; `depth` undefined = all of it (not next to a ps row). */
export function unquoteMail(s: string, regionDepth?: number): string {
  const { depth, rest } = quoteDepth(s);
  if (depth === 0) return s;
  if (!PS_ROW_TAIL.test(rest)) return rest;
  const keep = depth - (regionDepth ?? depth - 1);
  return keep > 0 ? `>${' '.repeat(Math.max(0, keep - 1))}${rest}` : rest;
}

const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/;

/**
 * Cuts an annotation off the end of a line. An annotation starts with a run of dashes (or an arrow)
 * after some content, followed by words that are not data: `-------这个RIP`, `--- this is it`.
 * Data that contains dashes stays: kmem's `-------  -----` empty columns, kmem -i's `----`,
 * and crash's `--- <NMI exception stack> ---` markers.
 */
export function stripAnnotation(s: string): string {
  // A whole line of annotation (the tail of a wrapped annotated line): `-----------rbp就存放在这`.
  if (/^\s*(?:-{5,}|<-+|←)\s*[^-\s<]/.test(s)) return '';
  const arrow = /\s(?:<-{1,}|<={1,}|←|⇐|<<-+)\s*\S/.exec(s);
  if (arrow && /\S/.test(s.slice(0, arrow.index))) s = s.slice(0, arrow.index);
  let searchFrom = 0;
  while (searchFrom < s.length) {
    const m = /-{3,}/.exec(s.slice(searchFrom));
    if (!m) break;
    const start = searchFrom + m.index;
    const end = start + m[0].length;
    const before = s.slice(0, start);
    const after = s.slice(end);
    searchFrom = end;
    if (!/\S/.test(before)) continue; // a line that starts with dashes is crash's own marker
    if (/^\s*</.test(after) || /<\s*$/.test(before)) continue; // `--- <IRQ stack> ---`
    const nextWord = /^\s*(\S+)/.exec(after)?.[1];
    if (nextWord === undefined) {
      if (m[0].length >= 5) return before; // `flags = 0x88,--------`
      continue;
    }
    if (/^[-0-9a-fA-Fx.%|]+$/.test(nextWord)) continue; // more data
    return before;
  }
  // A trailing remark in CJK after a data line (`... at ffffffff81178af5  被调度出去的返回地址`).
  const cjk = CJK.exec(s);
  if (cjk && cjk.index > 0 && /^\s*(?:#\d|\[|[0-9a-f]{8,}|0x|[A-Z]+:|crash>)/.test(s)) {
    return s.slice(0, cjk.index);
  }
  return s;
}

export function hasCjk(s: string): boolean {
  return CJK.test(s);
}

/**
 * Matches a report region against its header group's rows: which row names the report, what its
 * patterns captured, and the candidate frames of each frame slot. Everything textual about a
 * title happens here; the classifier only filters and formats what this returns.
 */

import type { ReportMatch } from '../../model/index.js';
import { MAX_MATCH_LINE } from './headers.js';
import { CORRUPTING_LINES, FRAME_LINES, STACK_STARTS } from './patterns.js';
import type { HeaderGroup, StackPart, TitleRow } from './table-types.js';

interface Hit {
  line: number;
  col: number;
  captures: string[];
}

const clip = (s: string): string => (s.length > MAX_MATCH_LINE ? s.slice(0, MAX_MATCH_LINE) : s);

function capturesOf(m: RegExpExecArray): string[] {
  const out: string[] = [];
  for (let i = 1; i < m.length; i++) out.push(m[i] ?? '');
  return out;
}

/** First line (from `from`) where `re` matches, with its column and captures. */
function firstHit(lines: string[], re: RegExp, from: number): Hit | undefined {
  for (let i = from; i < lines.length; i++) {
    const m = re.exec(clip(lines[i]!));
    if (m) return { line: i, col: m.index, captures: capturesOf(m) };
  }
  return undefined;
}

/** First of the `candidates` line indexes where `re` matches. */
function firstHitAmong(lines: string[], re: RegExp, candidates: number[]): Hit | undefined {
  for (const i of candidates) {
    const m = re.exec(clip(lines[i]!));
    if (m) return { line: i, col: m.index, captures: capturesOf(m) };
  }
  return undefined;
}

/**
 * A row's `report` steps: the first step's first matching line, then each further step on a later
 * line. If the steps fail after the first candidate they fail after every later one (each step
 * only needs *some* later line), so one attempt decides.
 */
function matchSteps(lines: string[], steps: RegExp[]): Hit | undefined {
  const head = firstHit(lines, steps[0]!, 0);
  if (!head) return undefined;
  const captures = [...head.captures];
  let at = head.line;
  for (let s = 1; s < steps.length; s++) {
    const hit = firstHit(lines, steps[s]!, at + 1);
    if (!hit) return undefined;
    captures.push(...hit.captures);
    at = hit.line;
  }
  return { line: head.line, col: head.col, captures };
}

/** Function names captured by a frame pattern (a line may name two: arm's `(f) from (g+…)`). */
function frameCaptures(line: string): string[] {
  let m = FRAME_LINES[0]!.exec(line);
  if (!m && line.includes(') from ')) m = FRAME_LINES[1]!.exec(line);
  if (!m) return NONE;
  return m.length === 2 ? [m[1]!] : capturesOf(m).filter((c) => c !== '');
}
const NONE: string[] = [];

const ANY_STACK_START = new RegExp(STACK_STARTS.map((re) => re.source).join('|'));
const corrupting = (line: string): boolean =>
  line.includes('should_fail') && CORRUPTING_LINES.some((re) => re.test(line));

export interface SlotScan {
  slots: string[][];
  /** A fault-injection line was crossed: the report is probably interleaved. */
  corruptingLine: boolean;
}

/**
 * Walks `parts` over the lines from the match position. A pattern part advances to its first
 * matching line and contributes its captures; a trace part reads frame lines until the next stack
 * starts (or until the following part's pattern matches). Each trace part after the first closes
 * a slot, and the end closes the last one.
 */
export function scanSlots(lines: string[], parts: StackPart[]): SlotScan {
  const slots: string[][] = [];
  let frames: string[] = [];
  let corruptingLine = false;
  let traces = 0;
  let i = 0;
  for (let p = 0; ; p++) {
    if (p === parts.length || (parts[p] === 'trace' && traces > 0)) {
      slots.push(frames);
      frames = [];
    }
    if (p === parts.length) break;
    const part = parts[p]!;
    if (part === 'trace') {
      traces++;
      const next = parts[p + 1];
      while (i < lines.length) {
        const line = clip(lines[i++]!);
        if (corrupting(line)) {
          corruptingLine = true;
          break;
        }
        if (ANY_STACK_START.test(line)) break;
        if (next instanceof RegExp) {
          const m = next.exec(line);
          if (m) {
            frames.push(...capturesOf(m).filter((c) => c !== ''));
            p++;
            break;
          }
        }
        frames.push(...frameCaptures(line));
      }
    } else {
      while (i < lines.length) {
        const line = clip(lines[i++]!);
        if (corrupting(line)) {
          corruptingLine = true;
          break;
        }
        const m = part.exec(line);
        if (!m) continue;
        frames.push(...capturesOf(m).filter((c) => c !== ''));
        break;
      }
    }
  }
  return { slots, corruptingLine };
}

/** The lines a stack scan sees: from the match column of its line to the end of the title lines. */
function linesFrom(lines: string[], hit: Hit): string[] {
  const out = lines.slice(hit.line);
  out[0] = out[0]!.slice(hit.col);
  return out;
}

export interface RowMatch {
  row?: TitleRow;
  match: ReportMatch;
}

/** Matches `lines` (the title part of a region) against the group's rows. */
export function matchGroup(group: HeaderGroup, lines: string[]): RowMatch {
  const literal = group.titleHint ?? group.header;
  // Every row's title contains the literal: only those lines need the row patterns.
  const candidates: number[] = [];
  for (let i = 0; i < lines.length; i++) if (lines[i]!.includes(literal)) candidates.push(i);
  let best: { row: TitleRow; hit: Hit } | undefined;
  let bestPos: Hit | undefined;
  let titleMatched = false;
  for (const row of group.rows) {
    const hit = firstHitAmong(lines, row.title, candidates);
    if (!hit) continue;
    if (bestPos && (hit.line > bestPos.line || (hit.line === bestPos.line && hit.col > bestPos.col)))
      continue;
    const samePos = bestPos && hit.line === bestPos.line && hit.col === bestPos.col;
    if (samePos && best) continue;
    if (!samePos) best = undefined;
    bestPos = hit;
    titleMatched = true;
    const full = row.report ? matchSteps(lines, row.report) : hit;
    if (!full) continue;
    best = { row, hit: full };
  }
  if (!best) {
    // No row: the header line itself, from the header on, is the title.
    let text = '';
    for (const line of lines) {
      const at = line.indexOf(group.header);
      if (at >= 0) {
        text = clip(line).slice(at);
        break;
      }
    }
    const match: ReportMatch = {
      rule: 'header-line',
      template: '{1}',
      altTemplates: [],
      args: [text],
      frameSlots: [],
      frameRule: 'first',
      skip: [],
      kindHint: 'unknown',
    };
    if (titleMatched) match.partial = true;
    return { match };
  }
  const { row, hit } = best;
  const match: ReportMatch = {
    rule: row.id,
    template: row.template,
    altTemplates: row.alt ?? [],
    args: hit.captures,
    frameSlots: [],
    frameRule: row.stack?.rule ?? 'first',
    skip: row.stack?.skip ?? [],
    kindHint: row.kind,
  };
  if (row.corrupted) match.rowCorrupted = true;
  if (row.noStackTrace) match.noStackTrace = true;
  if (row.stack) {
    const from = linesFrom(lines, hit);
    const primary = scanSlots(from, row.stack.parts);
    match.frameSlots = primary.slots;
    if (primary.corruptingLine) match.slotsDamaged = true;
    if (row.stack.fallback) {
      const fallback = scanSlots(from, row.stack.fallback);
      match.fallbackSlots = fallback.slots;
      if (fallback.corruptingLine) match.fallbackDamaged = true;
    }
  }
  return { row, match };
}

/**
 * From a report's match (row template, captured args, candidate frames) to a title: skip generic
 * frames, apply the row's frame rule, strip syscall wrappers, fill the template, normalise.
 */

import type { FrameRule, ReportMatch } from '../../model/index.js';
import { hangFrame, stallFrame } from './anchors.js';
import { GENERIC_SKIPS, SYSCALL_PREFIXES } from './skip.js';

const skipCache = new Map<string, RegExp>();

/** One regex for the generic skips plus a row's own. */
export function skipPattern(extra: string[]): RegExp {
  const key = extra.join('|');
  let re = skipCache.get(key);
  if (!re) {
    re = new RegExp([...GENERIC_SKIPS, ...extra].join('|'));
    skipCache.set(key, re);
  }
  return re;
}

/** Skip decisions per pattern and name: the same few hundred frame names recur in every log. */
const skipMemo = new Map<RegExp, Map<string, boolean>>();
const MAX_MEMO = 20_000;

export function skipped(skip: RegExp, name: string): boolean {
  let memo = skipMemo.get(skip);
  if (!memo) {
    memo = new Map();
    skipMemo.set(skip, memo);
  }
  let hit = memo.get(name);
  if (hit === undefined) {
    if (memo.size > MAX_MEMO) memo.clear();
    hit = skip.test(name);
    memo.set(name, hit);
  }
  return hit;
}

/** The shortest name left by stripping one syscall-wrapper prefix. */
export function canonicalFrame(name: string): string {
  let best = name;
  for (const prefix of SYSCALL_PREFIXES) {
    if (name.startsWith(prefix) && name.length - prefix.length < best.length)
      best = name.slice(prefix.length);
  }
  return best;
}

/** The function a title ends with (`KASAN: use-after-free Read in foo` → `foo`), if it names one. */
export function titleFunction(title: string | undefined): string | undefined {
  return title ? / in ([\w.]+)$/.exec(title)?.[1] : undefined;
}

export interface PickedFrame {
  /** Name used in the title (syscall wrapper stripped). */
  name: string;
  /** The frame as printed (bare function name). */
  raw: string;
}

/** Picks the frame of one slot, or undefined when every candidate was skipped. */
export function pickFrame(slot: string[], skip: RegExp, rule: FrameRule): PickedFrame | undefined {
  if (rule === 'first') {
    const raw = slot.find((f) => !skipped(skip, f));
    return raw === undefined ? undefined : { name: canonicalFrame(raw), raw };
  }
  const kept = slot.filter((f) => !skipped(skip, f));
  if (kept.length === 0) return undefined;
  const names = kept.map(canonicalFrame);
  const hit = rule === 'stall' ? stallFrame(names) : hangFrame(names);
  return hit ? { name: hit.name, raw: kept[hit.index]! } : undefined;
}

export interface SlotResult {
  frames: (PickedFrame | undefined)[];
  /** False when a slot had no usable frame or the scan crossed an interleaved stack. */
  ok: boolean;
}

function pickSlots(
  slots: string[][],
  damaged: boolean | undefined,
  skip: RegExp,
  rule: FrameRule,
): SlotResult {
  const frames = slots.map((slot) => pickFrame(slot, skip, rule));
  return { frames, ok: !damaged && frames.every((f) => f !== undefined) };
}

/** Frames of a match: the row's stack spec, then its fallback when the first yields nothing usable. */
export function framesOf(match: ReportMatch): SlotResult {
  const skip = skipPattern(match.skip);
  const primary = pickSlots(match.frameSlots, match.slotsDamaged, skip, match.frameRule);
  if (primary.ok || !match.fallbackSlots) return primary;
  return pickSlots(match.fallbackSlots, match.fallbackDamaged, skip, match.frameRule);
}

/** `{1}`… → args (by hand: a global regex replace is re-tiered by V8 on every call here). */
export function fill(template: string, args: string[]): string {
  let out = '';
  let from = 0;
  for (let at = template.indexOf('{'); at >= 0; at = template.indexOf('{', from)) {
    const close = template.indexOf('}', at);
    const n = close > at + 1 ? Number(template.slice(at + 1, close)) : Number.NaN;
    if (!Number.isInteger(n)) {
      out += template.slice(from, at + 1);
      from = at + 1;
      continue;
    }
    out += template.slice(from, at) + (args[n - 1] ?? '');
    from = close + 1;
  }
  return out + template.slice(from);
}

/**
 * Replacements that keep titles stable across occurrences: executor instance numbers, addresses,
 * IP addresses, line numbers, offsets, CPU and other numbers. Each applies until nothing changes
 * (matches can overlap, e.g. `0,1,2`).
 */
const REPLACEMENTS: [RegExp, string][] = [
  [/syz-executor\.?[0-9]+((\/|:)[0-9]+)?/g, 'syz-executor'],
  [/syzkaller[0-9]+((\/|:)[0-9]+)?/g, 'syzkaller'],
  [/([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}/g, '$1ADDR'],
  [/([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})/g, 'IP'],
  [/(\.\w+)(:[0-9]+)+/g, '$1:LINE'],
  [/([a-zA-Z][a-zA-Z0-9_.]+)\+0x[0-9a-z]+\/0x[0-9a-z]+/g, '$1'],
  [/CPU#[0-9]+/g, 'CPU'],
  [/(\W)(\d+)(\W|$)/g, '$1NUM$3'],
  [/(\d+){7,}/g, 'NUM'],
];

const MAX_TITLE = 120;

/** Non-global twins of REPLACEMENTS, to test before replacing (most titles need few of them). */
const PRESENT = REPLACEMENTS.map(([re]) => new RegExp(re.source));
/** Anything the printable-ASCII pass below would change. */
const NEEDS_CLEANING = /[^\x20-\x7e]|\t| {2}|^ /;

export function normaliseTitle(title: string): string {
  let s = title.length > 4 * MAX_TITLE ? title.slice(0, 4 * MAX_TITLE) : title;
  for (let k = 0; k < REPLACEMENTS.length; k++) {
    if (!PRESENT[k]!.test(s)) continue;
    const [re, to] = REPLACEMENTS[k]!;
    for (let round = 0; round < 64; round++) {
      const next = s.replace(re, to);
      if (next === s) break;
      s = next;
    }
  }
  if (!NEEDS_CLEANING.test(s.length > MAX_TITLE ? s.slice(0, MAX_TITLE) : s))
    return s.slice(0, MAX_TITLE).trim();
  // Printable ASCII only, tabs as spaces, runs of spaces collapsed, at most 120 characters read.
  let out = '';
  let prev = ' ';
  for (let i = 0; i < s.length && i < MAX_TITLE; i++) {
    let ch = s[i]!;
    const code = s.charCodeAt(i);
    if (ch === '\t') ch = ' ';
    else if (code < 0x20 || code >= 0x7f) continue;
    if (ch === ' ' && prev === ' ') continue;
    out += ch;
    prev = ch;
  }
  return out.trim();
}

export interface BuiltTitle {
  title: string;
  /** The title before normalisation (a stamp glued into it shows here). */
  rawTitle: string;
  altTitles: string[];
  frame?: PickedFrame;
  /** Why the title is not trustworthy, if it is not. */
  damage?: string;
}

/** The title, alternative titles (when asked: they cost most of the work) and the named frame. */
export function buildTitle(match: ReportMatch, withAlts = true): BuiltTitle {
  const { frames, ok } =
    match.frameSlots.length > 0 || match.fallbackSlots ? framesOf(match) : { frames: [], ok: true };
  const canonical = frames.map((f) => f?.name ?? 'corrupted');
  const raw = frames.map((f) => f?.raw ?? 'corrupted');
  const title = fill(match.template, [...match.args, ...canonical]);
  const normalised = normaliseTitle(title);
  const built: BuiltTitle = { title: normalised, rawTitle: title, altTitles: [] };
  const named = frames.find((f) => f !== undefined);
  if (named) built.frame = named;
  if (!ok) built.damage = 'extracted no frames';
  if (!withAlts) return built;
  const alts: string[] = match.altTemplates.map((t) => fill(t, [...match.args, ...canonical]));
  // Variants with the frames as printed and with each single prefix stripped help de-duplication.
  const variants = [raw];
  for (const p of SYSCALL_PREFIXES) {
    if (raw.some((f) => f.startsWith(p)))
      variants.push(raw.map((f) => (f.startsWith(p) ? f.slice(p.length) : f)));
  }
  for (const v of variants) {
    const t = fill(match.template, [...match.args, ...v]);
    if (t !== title) alts.push(t);
    for (const a of match.altTemplates) alts.push(fill(a, [...match.args, ...v]));
  }
  built.altTitles = [...new Set(alts.map(normaliseTitle))].filter((t) => t !== normalised);
  return built;
}

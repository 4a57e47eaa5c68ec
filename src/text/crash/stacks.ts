/**
 * Settles the stacks read from all blocks: the same task's stack printed by `bt`, `bt -a`,
 * `foreach bt` and `bt -f` becomes one Stack (frame words merged in); a headerless piece — a
 * pasted `bt -f` frame, a grepped frame line — joins the stack whose frames it repeats (same stack
 * slot, same function, same address), and stays a partial stack of its own otherwise. Nothing is
 * counted twice, and the analyzers see each task once. Indexed, so `foreach bt` of thousands of
 * tasks settles in linear time.
 */

import type { Frame, FrameWords, Stack } from '../../model/index.js';
import type { TranscriptBuilder } from './builder.js';

function frameKey(f: Frame): string | undefined {
  return f.stackAddress === undefined
    ? undefined
    : `${f.stackAddress.toString(16)}:${f.fn}:${f.address?.toString(16)}`;
}

function signature(stack: Stack): string {
  return stack.frames.map((f) => `${f.stackAddress?.toString(16)}:${f.fn}`).join('|');
}

function ownerKey(s: Stack): string | undefined {
  if (s.task !== undefined) return `t${s.task.toString(16)}`;
  return s.pid !== undefined && s.pid !== 0 ? `p${s.pid}` : undefined;
}

function isTextScan(stack: Stack): boolean {
  return stack.frames.some((f) => !f.reliable);
}

export function settleStacks(out: TranscriptBuilder): void {
  const stacks = out.crash.stacks;
  const byOwner = new Map<string, number[]>();
  /** Frame key → [stack index, frame index], for placing pieces. */
  const byFrame = new Map<string, [number, number]>();
  const index = (i: number) => {
    stacks[i]!.frames.forEach((f, k) => {
      const key = frameKey(f);
      if (key !== undefined && !byFrame.has(key)) byFrame.set(key, [i, k]);
    });
  };

  for (const draft of out.drafts.filter((d) => !d.headerless)) {
    const s = draft.stack;
    const owner = ownerKey(s);
    const siblings = owner === undefined ? [] : (byOwner.get(owner) ?? []);
    const twin = siblings.find((i) => signature(stacks[i]!) === signature(s));
    if (twin !== undefined) {
      mergeInto(
        stacks[twin]!,
        s,
        s.frames.map((_, k) => k),
      );
      continue;
    }
    // `bt -t` lists every text address on the stack (guesses): the unwound `bt` of the same task wins.
    const sibling = siblings[0];
    if (sibling !== undefined && isTextScan(s) && !isTextScan(stacks[sibling]!)) continue;
    if (sibling !== undefined && isTextScan(stacks[sibling]!) && !isTextScan(s)) {
      stacks[sibling] = s;
      index(sibling);
      continue;
    }
    stacks.push(s);
    if (owner !== undefined) byOwner.set(owner, [...siblings, stacks.length - 1]);
    index(stacks.length - 1);
  }

  for (const draft of out.drafts.filter((d) => d.headerless)) {
    const piece = draft.stack;
    const hits = piece.frames.map((f) => {
      const key = frameKey(f);
      return key === undefined ? undefined : byFrame.get(key);
    });
    const target = hits[0]?.[0];
    if (
      piece.frames.length > 0 &&
      target !== undefined &&
      hits.every((h) => h !== undefined && h[0] === target)
    ) {
      mergeInto(
        stacks[target]!,
        piece,
        hits.map((h) => h![1]),
      );
      continue;
    }
    stacks.push(piece);
    index(stacks.length - 1);
  }

  for (const [i, s] of stacks.entries()) {
    if (s.partial || s.pid === undefined) continue;
    const task = out.findTask(s.task, s.pid);
    if (task && task.stack === undefined) task.stack = i;
  }
}

/** Adds what `from` knows and `into` does not: frame words, source lines, offsets, exception frames. */
function mergeInto(into: Stack, from: Stack, frameMap: number[]): void {
  for (const fw of from.frameWords ?? []) {
    const index = frameMap[fw.frame];
    if (index === undefined || index < 0) continue;
    const list = into.frameWords ?? [];
    into.frameWords = list;
    const existing = list.find((w: FrameWords) => w.frame === index);
    if (existing) {
      for (const w of fw.words)
        if (!existing.words.some((x) => x.address === w.address)) existing.words.push(w);
      existing.words.sort((a, b) => (a.address < b.address ? -1 : 1));
    } else list.push({ frame: index, words: fw.words });
  }
  into.frameWords?.sort((a, b) => a.frame - b.frame);
  from.frames.forEach((f, i) => {
    const target = into.frames[frameMap[i] ?? -1];
    if (target && target.source === undefined && f.source !== undefined) target.source = f.source;
    if (target && target.offset === undefined && f.offset !== undefined) target.offset = f.offset;
  });
  if (into.exceptions.length === 0 && from.exceptions.length > 0 && from.frames.length === into.frames.length)
    into.exceptions = from.exceptions;
}

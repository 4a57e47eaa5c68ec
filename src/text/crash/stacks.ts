/**
 * Settles the stacks read from all blocks: the same task's stack printed by `bt`, `bt -a`,
 * `foreach bt` and `bt -f` becomes one Stack (frame words merged in); a headerless piece — a
 * pasted `bt -f` frame, a grepped frame line — joins the full stack whose frames it repeats (same
 * stack slot, same function), and stays a partial stack of its own otherwise. Nothing is counted
 * twice, and the analyzers see each task once.
 */

import type { Frame, FrameWords, Stack } from '../../model/index.js';
import type { StackDraft, TranscriptBuilder } from './builder.js';

const sameFrame = (a: Frame, b: Frame) =>
  a.stackAddress !== undefined &&
  a.stackAddress === b.stackAddress &&
  a.fn === b.fn &&
  a.address === b.address;

function signature(stack: Stack): string {
  return stack.frames.map((f) => `${f.stackAddress?.toString(16)}:${f.fn}`).join('|');
}

export function settleStacks(out: TranscriptBuilder): void {
  const stacks = out.crash.stacks;
  const full = out.drafts.filter((d) => !d.headerless);
  const pieces = out.drafts.filter((d) => d.headerless);
  for (const draft of full) {
    const s = draft.stack;
    const twin = stacks.find((t) => !t.partial && sameOwner(t, s) && signature(t) === signature(s));
    if (twin) {
      mergeInto(twin, s, identity(s.frames.length));
      continue;
    }
    // `bt -t` lists every text address on the stack (guesses): the unwound `bt` of the same task wins.
    const sibling = stacks.findIndex((t) => !t.partial && sameOwner(t, s));
    if (sibling >= 0 && isTextScan(s) && !isTextScan(stacks[sibling]!)) continue;
    if (sibling >= 0 && isTextScan(stacks[sibling]!) && !isTextScan(s)) stacks[sibling] = s;
    else stacks.push(s);
  }
  for (const draft of pieces) placePiece(stacks, draft);
  for (let i = 0; i < stacks.length; i++) {
    const s = stacks[i]!;
    if (s.partial || s.pid === undefined) continue;
    const task = out.crash.tasks.find((t) =>
      s.task !== undefined ? t.task === s.task : t.pid === s.pid && s.pid !== 0,
    );
    if (task && task.stack === undefined) task.stack = i;
  }
}

function isTextScan(stack: Stack): boolean {
  return stack.frames.some((f) => !f.reliable);
}

function sameOwner(a: Stack, b: Stack): boolean {
  if (a.task !== undefined && b.task !== undefined) return a.task === b.task;
  return a.pid !== undefined && a.pid === b.pid && a.pid !== 0;
}

function identity(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function placePiece(stacks: Stack[], draft: StackDraft): void {
  const piece = draft.stack;
  for (const target of stacks) {
    const map = piece.frames.map((f) => target.frames.findIndex((g) => sameFrame(f, g)));
    if (piece.frames.length > 0 && map.every((i) => i >= 0)) {
      mergeInto(target, piece, map);
      return;
    }
  }
  stacks.push(piece);
}

/** Adds what `from` knows and `into` does not: frame words, source lines, exception frames. */
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

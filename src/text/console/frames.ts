/**
 * One line of a printed stack → a frame or a context marker. Covers x86 (`func+0x1a/0x40`, old
 * `[<ffffffff8123>] ? func+…`, `[module]`, `[module buildid]`), symbolized traces (`func
 * fs/x.c:12`, `func fs/x.c:12 [inline]`), arm64, arm32 (`[<c0…>] (f) from [<c0…>] (g+…)`),
 * powerpc (`[c…] [c…] func+…` and `(unreliable)`), s390 (`([<…>] func+…)`) and riscv.
 */

import type { Frame, FrameContext } from '../../model/index.js';

export type TraceItem =
  /** `after`: a context marker printed on the same line before the frame (3.x: `<<EOE>>  [<…>] f+0x…`). */
  | { type: 'frame'; frame: Frame; after?: TraceItem }
  | { type: 'enter'; context: FrameContext }
  | { type: 'leave'; context: FrameContext }
  | { type: 'end' };

const MARKERS: Record<string, TraceItem> = {
  '<IRQ>': { type: 'enter', context: 'irq' },
  '</IRQ>': { type: 'leave', context: 'irq' },
  '<NMI>': { type: 'enter', context: 'nmi' },
  '</NMI>': { type: 'leave', context: 'nmi' },
  '<SOFTIRQ>': { type: 'enter', context: 'softirq' },
  '</SOFTIRQ>': { type: 'leave', context: 'softirq' },
  '<TASK>': { type: 'enter', context: 'task' },
  '</TASK>': { type: 'end' },
  // Old x86: end of the interrupt stack, the task's frames follow; end of an exception stack.
  '<EOI>': { type: 'leave', context: 'irq' },
  '<<EOE>>': { type: 'leave', context: 'exception' },
};

/** `[<ffffffff81234567>]`, `[ffffffff81234567]`, with an optional `0x`. */
const PC_PREFIX = /^\s*\(?\[<?(?:0x)?([0-9a-f]{4,16})>?\]\s*/;
const SOURCE = /^([\w./+-]+\.[A-Za-z]+:\d+)/;
const ARM32 =
  /^\s*\[<([0-9a-f]+)>\]\s+\(([\w.$]+)(?:\+0x([0-9a-f]+)\/0x([0-9a-f]+))?\)\s+from\s+\[<[0-9a-f]+>\]/;
/** Symbolized inline frame without offsets: `__dump_stack lib/dump_stack.c:77 [inline]`. */
const INLINE = /^\s*([A-Za-z_][\w.$]*)\s+([\w./+-]+\.[A-Za-z]+:\d+)\s+\[inline\]/;

const hex = (s: string): number => Number.parseInt(s, 16);

const SYMBOL_AT = /([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)\/0x([0-9a-f]+)/y;

export function parseTraceLine(text: string): TraceItem | undefined {
  let p = 0;
  while (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9) p++;
  const first = text.charCodeAt(p);
  if (first === 60 /* < */) {
    const trimmed = text.trim();
    const whole = MARKERS[trimmed];
    if (whole) return whole;
    // `<NMI>  [<ffffffff8163a2f1>] dump_stack+0x19/0x1b`: the marker, then a frame.
    const end = trimmed.indexOf('>', trimmed.startsWith('<<') ? 2 : 0);
    const marker =
      end > 0 ? MARKERS[trimmed.slice(0, trimmed.startsWith('<<') ? end + 2 : end + 1)] : undefined;
    if (!marker) return undefined;
    const frame = parseTraceLine(trimmed.slice(trimmed.startsWith('<<') ? end + 2 : end + 1));
    return frame?.type === 'frame' ? { ...frame, after: marker } : marker;
  }
  if (Number.isNaN(first) || text.length > 512) return undefined;
  if (first === 91 /* [ */ && text.includes(') from [')) {
    const arm = ARM32.exec(text);
    if (arm) {
      const frame: Frame = {
        fn: arm[2]!,
        address: BigInt(`0x${arm[1]}`),
        reliable: true,
        context: 'unknown',
      };
      if (arm[3]) frame.offset = hex(arm[3]);
      if (arm[4]) frame.size = hex(arm[4]);
      return { type: 'frame', frame };
    }
  }
  let address: bigint | undefined;
  if (first === 91 || first === 40 /* ( */) {
    let rest = text;
    for (let i = 0; i < 2; i++) {
      const pc = PC_PREFIX.exec(rest);
      if (!pc) break;
      address = BigInt(`0x${pc[1]}`);
      rest = rest.slice(pc[0].length);
    }
    return symbolFrame(rest, 0, address);
  }
  return symbolFrame(text, p, address);
}

function symbolFrame(text: string, start: number, address: bigint | undefined): TraceItem | undefined {
  let p = start;
  while (text.charCodeAt(p) === 32) p++;
  let reliable = true;
  if (text.charCodeAt(p) === 63 /* ? */ && text.charCodeAt(p + 1) === 32) {
    reliable = false;
    p += 2;
    while (text.charCodeAt(p) === 32) p++;
  }
  // s390 prints the interrupted frame in parentheses.
  if (text.charCodeAt(p) === 40) p++;
  SYMBOL_AT.lastIndex = p;
  const sym = SYMBOL_AT.exec(text);
  if (!sym) {
    if (!text.includes('[inline]')) return undefined;
    const inline = INLINE.exec(text);
    if (!inline) return undefined;
    return {
      type: 'frame',
      frame: { fn: inline[1]!, source: inline[2]!, inline: true, reliable: true, context: 'unknown' },
    };
  }
  const frame: Frame = {
    fn: sym[1]!,
    offset: hex(sym[2]!),
    size: hex(sym[3]!),
    reliable,
    context: 'unknown',
  };
  if (address !== undefined) frame.address = address;
  let rest = text.slice(SYMBOL_AT.lastIndex);
  // Trailing parts in any order: [module] / [module buildid], file.c:123, [inline], (unreliable).
  for (let guard = 0; guard < 6 && rest.length > 0; guard++) {
    rest = rest.trimStart();
    if (rest.startsWith('[inline]')) {
      frame.inline = true;
      rest = rest.slice(8);
    } else if (rest.startsWith('(unreliable)')) {
      frame.reliable = false;
      rest = rest.slice(12);
    } else if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      if (close < 0) break;
      const inner = rest.slice(1, close).trim();
      const space = inner.indexOf(' ');
      const name = space < 0 ? inner : inner.slice(0, space);
      if (/^[\w-]+$/.test(name) && !/^[0-9a-f]{8,}$/.test(name)) frame.module = name;
      rest = rest.slice(close + 1);
    } else if (rest.startsWith('(T)') || rest.startsWith('(P)') || rest.startsWith(')')) {
      rest = rest.slice(rest.indexOf(')') + 1);
    } else {
      const src = SOURCE.exec(rest);
      if (!src) break;
      frame.source = src[1]!;
      rest = rest.slice(src[0].length);
    }
  }
  return { type: 'frame', frame };
}

/** The bare name syzkaller-style titles use: up to the first `.` (`foo.isra.3` → `foo`). */
export function bareName(fn: string): string {
  const dot = fn.indexOf('.');
  return dot > 0 ? fn.slice(0, dot) : fn;
}

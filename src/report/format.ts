/** Small text formatters shared by the renderers. */

import type { Frame } from '../model/index.js';

export function hex(value: bigint | number, width = 0): string {
  return value.toString(16).padStart(width, '0');
}

/** `func+0x1a/0x40 [module]`, or the bare address for unsymbolized frames. */
export function formatFrame(frame: Frame): string {
  let text = frame.fn ?? (frame.address === undefined ? '??' : hex(frame.address, 16));
  if (frame.fn !== undefined && frame.offset !== undefined) {
    text += `+0x${hex(frame.offset)}`;
    if (frame.size !== undefined) text += `/0x${hex(frame.size)}`;
  }
  if (frame.module) text += ` [${frame.module}]`;
  return text;
}

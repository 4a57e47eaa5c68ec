/** A one-line progress indicator on stderr, only when stderr is a terminal; throttled to 10 Hz. */

import type { ProgressReporter } from '../../dump/open.js';

export function ttyProgress(
  stream: NodeJS.WriteStream = process.stderr,
): ProgressReporter & { done(): void } {
  let last = 0;
  let shown = false;
  const report = (done: number, total: number, what: string): void => {
    if (!stream.isTTY) return;
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const pct = total > 0 ? ` ${Math.min(100, Math.floor((done / total) * 100))}%` : '';
    stream.write(`\r\x1b[K${what}${pct}`);
    shown = true;
  };
  return Object.assign(report, {
    done: () => {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  });
}

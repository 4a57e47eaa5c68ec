/**
 * `ps VMCORE PID` and `bt PID VMCORE`: crash takes the dump once at start-up, so users type the
 * PID and the dump in either order. The dump is the argument that names an existing file; when
 * none or several do, the documented position wins (and its error names it).
 */

import { existsSync } from 'node:fs';

export function splitDumpArgs(
  args: string[],
  documented: 'first' | 'last',
): { vmcore: string; rest: string[] } {
  const at = documented === 'first' ? 0 : args.length - 1;
  const existing = args.map((a, i) => (a === '-' || existsSync(a) ? i : -1)).filter((i) => i >= 0);
  const pick = existing.includes(at) || existing.length !== 1 ? at : existing[0]!;
  return { vmcore: args[pick]!, rest: args.filter((_, i) => i !== pick) };
}

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
  // A PID or task address is the dump only when nothing else can be (a stray file named `150`).
  const selector = (a: string) => /^\d+$/.test(a) || /^(0x)?[0-9a-f]{9,16}$/i.test(a);
  const existing = args
    .map((a, i) => (a === '-' || existsSync(a) ? i : -1))
    .filter((i) => i >= 0 && (!selector(args[i]!) || args.length === 1));
  const named = args.map((a, i) => (selector(a) ? -1 : i)).filter((i) => i >= 0);
  const pick =
    existing.length === 1 ? existing[0]! : existing.length === 0 && named.length === 1 ? named[0]! : at;
  return { vmcore: args[pick]!, rest: args.filter((_, i) => i !== pick) };
}

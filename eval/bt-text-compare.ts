/**
 * Compares `bt -t` outputs (ktriage's and crash's) line by line: per CPU, the sequence of
 * (stack address, text address) pairs. Used by `eval/bt-text.ts` and the lab-dump test. Public
 * names: TextLine, parseBtText, compareBtText, BtTextScore.
 */

export interface TextLine {
  slot: bigint;
  value: bigint;
  name: string;
  /** ktriage's `?` (crash has none). */
  unsure: boolean;
  /** How many `--- <… stack> ---` lines come before it in its block. */
  section: number;
}

export interface BtTextBlock {
  header: string;
  cpu: number | undefined;
  start?: string;
  lines: TextLine[];
  /** The stacks left, in order (`NMI exception stack`, `IRQ stack`). */
  left: string[];
}

const HEADER = /^PID: \S+\s+TASK: [0-9a-f]+\s+CPU: (\S+)/;
const LINE = /^ {2}\[([0-9a-f]{16})\] (\? )?(\S+) at ([0-9a-f]{16})/;
const START = /^\s+START: (.*)$/;
const LEAVE = /^--- <(.+)> ---$/;

/** The task blocks of a `bt -t [-a]` output, in order. */
export function parseBtText(text: string): BtTextBlock[] {
  const blocks: BtTextBlock[] = [];
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      blocks.push({ header: line, cpu: /^\d+$/.test(h[1]!) ? Number(h[1]) : undefined, lines: [], left: [] });
      continue;
    }
    const b = blocks.at(-1);
    if (!b) continue;
    const s = START.exec(line);
    if (s) b.start = s[1];
    const leave = LEAVE.exec(line);
    if (leave) b.left.push(leave[1]!);
    const m = LINE.exec(line);
    if (m) {
      b.lines.push({
        slot: BigInt(`0x${m[1]}`),
        value: BigInt(`0x${m[4]}`),
        name: m[3]!,
        unsure: m[2] !== undefined,
        section: b.left.length,
      });
    }
  }
  return blocks;
}

export interface BtTextScore {
  /** Lines of crash's output. */
  crash: number;
  /** Lines of ktriage's output. */
  ours: number;
  /** (stack address, text address) pairs in both, in the same order (LCS). */
  same: number;
  /** Of those, lines whose function names differ. */
  namesDiffer: number;
  onlyCrash: TextLine[];
  onlyOurs: TextLine[];
}

const keyOf = (l: TextLine) => `${l.slot}:${l.value}`;

/** Longest common subsequence of two line lists by (slot, value); returns the matched pairs. */
export function lcs(a: TextLine[], b: TextLine[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const t = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      t[i]![j] =
        keyOf(a[i]!) === keyOf(b[j]!) ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (keyOf(a[i]!) === keyOf(b[j]!)) pairs.push([i++, j++]);
    else if (t[i + 1]![j]! >= t[i]![j + 1]!) i++;
    else j++;
  }
  return pairs;
}

export function compareBtText(crash: TextLine[], ours: TextLine[]): BtTextScore {
  const pairs = lcs(crash, ours);
  const inCrash = new Set(pairs.map(([i]) => i));
  const inOurs = new Set(pairs.map(([, j]) => j));
  return {
    crash: crash.length,
    ours: ours.length,
    same: pairs.length,
    namesDiffer: pairs.filter(([i, j]) => crash[i]!.name !== ours[j]!.name).length,
    onlyCrash: crash.filter((_, i) => !inCrash.has(i)),
    onlyOurs: ours.filter((_, j) => !inOurs.has(j)),
  };
}

/**
 * Frame-match scoring of ktriage's backtraces against the reference tools: drgn's task list
 * (`drgn-tasks.txt`: `prog.stack_trace(task)` of every task, then per-CPU `rq->curr` stacks) and
 * crash's `bt -a`. Public names: DrgnTask, DrgnFrame, parseDrgnTasks, physicalDrgnFrames,
 * alignNames, FrameScore, addScore.
 *
 * drgn unwinds with DWARF, so its traces include inlined functions (`context_switch` inside
 * `__schedule`, `cpu_relax` inside a spin loop) that have no symbol of their own: kallsyms cannot
 * know them. A drgn frame whose function is not in the kernel's symbol table is such an inline
 * frame and is dropped before comparing; frames drgn prints as `name+0xoff/0xsize` (assembly
 * without DWARF) are resolved to the address and named from the symbol table, as kallsyms names it
 * (`entry_SYSCALL_64+0xa6` → `entry_SYSCALL_64_after_hwframe`); user-space PCs (`0x460a63`) and
 * `???` end a trace.
 */

export interface DrgnFrame {
  /** Function name (DWARF or ELF symbol). */
  name: string;
  /** For `name+0xoff/0xsize` frames. */
  offset?: number;
  /** A bare PC drgn could not name. */
  address?: bigint;
  unknown?: boolean;
}

export interface DrgnTask {
  pid: number;
  comm: string;
  state?: string;
  cpu?: number;
  task: bigint;
  frames: DrgnFrame[];
  /** From the per-CPU section (`rq->curr`, unwound from NT_PRSTATUS). */
  onCpu?: number;
}

const TASK_LINE = /^PID (\d+)\s+COMM (.*?)\s+STATE (\S+)\s+CPU (\d+)\s+TASK (0x[0-9a-f]+)/;
const CPU_LINE = /^CPU (\d+): rq->curr PID (\d+) COMM (.*?) TASK (0x[0-9a-f]+)/;
const FRAME_LINE = /^#(\d+)\s+(.*)$/;

function parseFrame(text: string): DrgnFrame {
  if (text.startsWith('???')) return { name: '???', unknown: true };
  const raw = /^(0x[0-9a-f]+)\s*$/.exec(text);
  if (raw) return { name: raw[1]!, address: BigInt(raw[1]!) };
  const withOff = /^([^\s+(]+)\+0x([0-9a-f]+)\/0x[0-9a-f]+/.exec(text);
  if (withOff) return { name: withOff[1]!, offset: Number.parseInt(withOff[2]!, 16) };
  return { name: text.split(/\s/)[0]! };
}

export function parseDrgnTasks(text: string): { tasks: DrgnTask[]; cpus: DrgnTask[] } {
  const tasks: DrgnTask[] = [];
  const cpus: DrgnTask[] = [];
  let current: DrgnTask | undefined;
  for (const line of text.split('\n')) {
    const t = TASK_LINE.exec(line);
    if (t) {
      current = {
        pid: Number(t[1]),
        comm: t[2]!,
        state: t[3]!,
        cpu: Number(t[4]),
        task: BigInt(t[5]!),
        frames: [],
      };
      tasks.push(current);
      continue;
    }
    const c = CPU_LINE.exec(line);
    if (c) {
      current = {
        pid: Number(c[2]),
        comm: c[3]!,
        cpu: Number(c[1]),
        onCpu: Number(c[1]),
        task: BigInt(c[4]!),
        frames: [],
      };
      cpus.push(current);
      continue;
    }
    const f = FRAME_LINE.exec(line);
    if (f && current) current.frames.push(parseFrame(f[2]!));
    else if (line.trim() === '') current = undefined;
  }
  return { tasks, cpus };
}

export interface NameResolver {
  /** Is there a symbol of this name (a physical function)? */
  has(name: string): boolean;
  /** The kallsyms name at `name + offset`, for drgn's assembly frames. */
  nameAt(name: string, offset: number): string | undefined;
}

/**
 * drgn's frames as kallsyms sees them: inline frames dropped, assembly frames renamed, stopping at
 * a user PC or `???` (`stoppedShort` then says drgn gave up inside the kernel).
 */
export function physicalDrgnFrames(
  frames: DrgnFrame[],
  names: NameResolver,
): { names: string[]; stoppedShort: boolean; inlineDropped: number } {
  const out: string[] = [];
  let inlineDropped = 0;
  for (const f of frames) {
    if (f.unknown) return { names: out, stoppedShort: true, inlineDropped };
    if (f.address !== undefined) break;
    if (f.offset !== undefined) {
      out.push(names.nameAt(f.name, f.offset) ?? f.name);
      continue;
    }
    if (names.has(f.name)) out.push(f.name);
    else inlineDropped++;
  }
  return { names: out, stoppedShort: false, inlineDropped };
}

/** Longest common subsequence of two name lists: how many frames agree, in order. */
export function alignNames(a: string[], b: string[]): number {
  const prev = new Array<number>(b.length + 1).fill(0);
  const cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    for (let j = 0; j <= b.length; j++) prev[j] = cur[j]!;
  }
  return prev[b.length]!;
}

export interface FrameScore {
  stacks: number;
  identicalStacks: number;
  /** Frames present in both, in order. */
  matched: number;
  /** max(ours, reference) per stack, summed. */
  total: number;
  /** Frames we have past where the reference stopped short (bogus frame, `???`). */
  beyond: number;
}

export function emptyScore(): FrameScore {
  return { stacks: 0, identicalStacks: 0, matched: 0, total: 0, beyond: 0 };
}

/**
 * Scores one stack. When the reference stopped short, only as many of our frames as it has are
 * compared and the rest are counted as `beyond` (checked separately against the kernel log).
 */
export function addScore(
  score: FrameScore,
  ours: string[],
  reference: string[],
  referenceShort: boolean,
): { matched: number; total: number } {
  const compared = referenceShort ? ours.slice(0, reference.length) : ours;
  const matched = alignNames(compared, reference);
  const total = Math.max(compared.length, reference.length);
  score.stacks++;
  if (matched === total) score.identicalStacks++;
  score.matched += matched;
  score.total += total;
  if (referenceShort) score.beyond += ours.length - compared.length;
  return { matched, total };
}

export function percent(s: FrameScore): string {
  return s.total === 0 ? 'n/a' : `${((100 * s.matched) / s.total).toFixed(2)}%`;
}

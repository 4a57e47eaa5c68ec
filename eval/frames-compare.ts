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
 * `???` end a trace. DWARF names a function's out-of-line parts by the function (`__mutex_lock`
 * for kallsyms' `__mutex_lock.constprop.0`, `watchdog_timer_fn` for `.cold`), so drgn comparisons use
 * names without compiler suffixes on both sides.
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

/** A name without compiler suffixes (`__mutex_lock.constprop.0`, `watchdog_timer_fn.cold` → the function). */
export function baseName(name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

export interface NameResolver {
  /** Is there a symbol of this name, or of this name with a compiler suffix (a physical function)? */
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
      out.push(baseName(names.nameAt(f.name, f.offset) ?? f.name));
      continue;
    }
    if (names.has(f.name)) out.push(baseName(f.name));
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

/** Pairs (i in a, j in b) of one longest common subsequence, in order. */
export function alignPairs(a: string[], b: string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const t: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (t[i + 1]![j]! >= t[i]![j + 1]!) i++;
    else j++;
  }
  return pairs;
}

export interface OurFrame {
  name: string;
  /** Return address (or exact PC) of the frame. */
  pc?: bigint;
  /** Start of the frame's function. */
  fnStart?: bigint;
}

/**
 * drgn frames of functions that do have a symbol but were inlined at this place (`default_idle`
 * inside `amd_e400_idle`): dropped when the code proves it — the call before our outer frame's
 * return address goes straight to our inner frame's function, so nothing can sit between them.
 */
export function dropProvenInline(
  ours: OurFrame[],
  drgn: string[],
  callTarget: (ret: bigint) => bigint | undefined,
): { names: string[]; proven: string[] } {
  const pairs = alignPairs(
    ours.map((f) => f.name),
    drgn,
  );
  const matchedJ = new Map(pairs.map(([i, j]) => [j, i]));
  const proven: string[] = [];
  const names = drgn.filter((name, j) => {
    if (matchedJ.has(j)) return true;
    const before = pairs.filter(([, pj]) => pj < j).at(-1);
    const after = pairs.find(([, pj]) => pj > j);
    if (!before || !after || after[0] !== before[0] + 1) return true;
    const inner = ours[before[0]]!;
    const outer = ours[after[0]]!;
    if (outer.pc === undefined || inner.fnStart === undefined) return true;
    if (callTarget(outer.pc) !== inner.fnStart) return true;
    proven.push(name);
    return false;
  });
  return { names, proven };
}

const LOG_PREFIX = /^\[\s*\d+\.\d+\]\s?/;

/**
 * The task-stack frames each CPU's last register dump in the kernel log shows (soft lockup and RCU
 * stall reports, NMI backtraces, the panic's own dump_stack): in order, the `RIP:` function of a
 * register block and the reliable entries of the `<TASK>` part of its Call Trace (a panic raised in
 * an interrupt prints the entry frame, then the interrupted registers, then the task's callers).
 * This is the kernel's own view of where an unwind through an IRQ entry must lead.
 */
export function interruptedStacksFromLog(text: string): Map<number, string[]> {
  const lines = text.split('\n').map((l) => l.replace(LOG_PREFIX, '').trim());
  const out = new Map<number, string[]>();
  for (let i = 0; i < lines.length; i++) {
    const cpu = /^CPU: (\d+) PID: /.exec(lines[i]!);
    if (!cpu) continue;
    const seq: string[] = [];
    let sawRip = false;
    let pendingRip: string | undefined;
    let inTask = false;
    for (let k = i + 1; k < Math.min(lines.length, i + 120); k++) {
      const l = lines[k]!;
      if (/^CPU: \d+ PID: /.test(l)) break;
      const r = /^RIP: 0010:([^\s+]+)\+0x/.exec(l);
      if (r) {
        sawRip = true;
        if (inTask) seq.push(r[1]!);
        else pendingRip = r[1];
        continue;
      }
      if (l === '<TASK>') {
        inTask = true;
        if (pendingRip) seq.push(pendingRip);
      } else if (l === '</TASK>') break;
      else if (inTask && !l.startsWith('?')) {
        const f = /^([^\s+]+)\+0x[0-9a-f]+\/0x[0-9a-f]+/.exec(l);
        if (f) seq.push(f[1]!);
      }
    }
    // Only register dumps: a plain dump_stack() (the panic path itself) shows where printing was.
    if (sawRip && seq.length > 0) out.set(Number(cpu[1]), seq);
  }
  return out;
}

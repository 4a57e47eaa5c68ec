/**
 * The facts of one OOM-killer report, read from the records that follow `… invoked oom-killer:`
 * (mm/oom_kill.c dump_header, show_mem, dump_tasks, oom_kill_process; 3.10 to 6.x shapes).
 * Bounded: stops at the kill, at a panic, at the next invocation, or after MAX_RECORDS records —
 * a fleet server's task table has thousands of rows, of which only the biggest are kept.
 */

import type { LogRecord, OomFacts, OomTask } from '../../model/index.js';

const MAX_RECORDS = 50_000;
const TOP_TASKS = 10;
const TOP_SLABS = 5;

const INVOKED =
  /^(.*?) invoked oom-killer: gfp_mask=(0x[0-9a-f]+(?:\([^)]*\))?),(?: nodemask=\S+,)? order=(-?\d+)/;
const CPU_LINE = /^CPU: \d+ (?:UID: \d+ )?PID: (\d+) Comm: (\S+)/;
/** One Mem-Info token `name:123` (kB-suffixed tokens are the per-node lines, not these). */
const COUNTER = /^([a-z_]+):(\d+)$/;
/** 3.10's per-cpu pagesets, printed between `Mem-Info:` and the counters. */
const PER_CPU = /^(?:Node \d+ \w+ per-cpu:|CPU\s+\d+: hi:)/;
const RAM = /^(\d+) pages RAM$/;
const RESERVED = /^(\d+) pages reserved$/;
const SWAP = /^(Free|Total) swap\s+= (\d+)kB$/;
const TABLE_HEADER = /^\[\s*pid\s*\]\s+(.*)$/;
const TABLE_ROW = /^\[\s*(\d+)\]\s+(.*)$/;
const SLAB_ROW = /^(\S+)\s+(\d+)KB\s+\d+KB$/;
const OOM_KILL = /^oom-kill:constraint=(\w+),/;
/** The cgroup whose limit was hit (`oom_memcg`, 4.19+); `task_memcg` may be a child of it. */
const OOM_MEMCG = /,oom_memcg=([^,]*),/;
const MEMCG_OF_TASK = /,task_memcg=([^,]*),/;
const MEMCG_USAGE = /^memory: usage (\d+)kB, limit (\d+)kB/;
const MEMCG_LEGACY = /^Task in (\S+) killed as a result of limit of (\S+)/;
const KILLED =
  /(?:Out of memory|Memory cgroup out of memory)(?: \([^)]*\))?: Killed process (\d+) \((.*?)\)(.*)$|^Killed process (\d+) \((.*?)\)(.*)$/;
const RSS_KB = /(anon|file|shmem)-rss:(\d+)kB/g;
const OUTCOME =
  /Kernel panic - not syncing: (.*)$|^(Out of memory and no killable processes.*)$|^(System is deadlocked on memory)$/;

/** `start` is the record that says `… invoked oom-killer:`; undefined when it does not. */
export function readOomFacts(records: readonly LogRecord[], start: number): OomFacts | undefined {
  const head = INVOKED.exec(records[start]?.text ?? '');
  if (!head) return undefined;
  const facts: OomFacts = {
    invoker: { comm: head[1]!.trim() },
    gfpMask: head[2]!,
    order: Number(head[3]),
    pages: {},
    topTasks: [],
    taskCount: 0,
    taskRssPages: 0,
    slabs: [],
  };
  const state = { memInfo: false, slabInfo: false, columns: undefined as string[] | undefined };
  const end = Math.min(records.length, start + MAX_RECORDS);
  for (let i = start + 1; i < end; i++) {
    const text = records[i]!.text;
    if (text.includes(' invoked oom-killer: ')) break;
    let done = false;
    for (const raw of text.split('\n')) done = readLine(raw.trim(), facts, state) || done;
    if (done) break;
  }
  keepTop(facts.topTasks, (t) => t.rss, TOP_TASKS);
  keepTop(facts.slabs, (s) => s.usedKb, TOP_SLABS);
  return facts;
}

interface ScanState {
  memInfo: boolean;
  slabInfo: boolean;
  columns: string[] | undefined;
}

/** Reads one line into `facts`; true when the report is over (the kill or the panic). */
function readLine(line: string, facts: OomFacts, state: ScanState): boolean {
  if (state.columns) {
    const row = TABLE_ROW.exec(line);
    if (row) {
      addTask(Number(row[1]), row[2]!, state.columns, facts);
      return false;
    }
    state.columns = undefined;
  }
  if (state.slabInfo) {
    const slab = SLAB_ROW.exec(line);
    if (slab) {
      facts.slabs.push({ name: slab[1]!, usedKb: Number(slab[2]) });
      if (facts.slabs.length > TOP_SLABS * 20) keepTop(facts.slabs, (s) => s.usedKb, TOP_SLABS);
      return false;
    }
    if (!line.startsWith('Name ')) state.slabInfo = false;
  }
  if (line === 'Mem-Info:') {
    state.memInfo = true;
    return false;
  }
  if (state.memInfo) {
    if (/^[a-z_]+:\d+/.test(line)) {
      for (const token of line.split(/\s+/)) {
        const m = COUNTER.exec(token);
        if (m) facts.pages[m[1]!] = Number(m[2]);
      }
      return false;
    }
    if (PER_CPU.test(line)) return false;
    state.memInfo = false;
  }
  if (line === 'Unreclaimable slab info:') {
    state.slabInfo = true;
    return false;
  }
  const header = TABLE_HEADER.exec(line);
  if (header) {
    state.columns = header[1]!.split(/\s+/);
    return false;
  }
  return readSingleLine(line, facts);
}

/** One-line facts: a pattern and what it sets; `true` from a handler ends the report. */
type LineRule = [RegExp, (m: RegExpExecArray, facts: OomFacts, line: string) => boolean];

const LINE_RULES: LineRule[] = [
  [
    CPU_LINE,
    (m, f) => {
      // Another CPU's line may come first: only the invoker's own counts.
      if (m[2] === f.invoker.comm || f.invoker.comm.startsWith(m[2]!)) f.invoker.pid ??= Number(m[1]);
      return false;
    },
  ],
  [
    RAM,
    (m, f) => {
      f.ramPages = Number(m[1]);
      return false;
    },
  ],
  [
    RESERVED,
    (m, f) => {
      f.reservedPages = Number(m[1]);
      return false;
    },
  ],
  [
    SWAP,
    (m, f) => {
      if (m[1] === 'Free') f.swapFreeKb = Number(m[2]);
      else f.swapTotalKb = Number(m[2]);
      return false;
    },
  ],
  [
    OOM_KILL,
    (m, f, line) => {
      f.constraint = m[1]!;
      const memcg = OOM_MEMCG.exec(line)?.[1] ?? MEMCG_OF_TASK.exec(line)?.[1];
      if (m[1] === 'CONSTRAINT_MEMCG' && memcg) f.memcg = { ...f.memcg, path: memcg };
      return false;
    },
  ],
  [
    MEMCG_USAGE,
    (m, f) => {
      f.memcg = { ...f.memcg, usageKb: Number(m[1]), limitKb: Number(m[2]) };
      return false;
    },
  ],
  [
    MEMCG_LEGACY,
    (m, f) => {
      f.memcg = { ...f.memcg, path: m[2]! };
      return false;
    },
  ],
  [
    KILLED,
    (m, f) => {
      const killed: NonNullable<OomFacts['killed']> = { pid: Number(m[1] ?? m[4]), comm: (m[2] ?? m[5])! };
      for (const r of (m[3] ?? m[6] ?? '').matchAll(RSS_KB)) {
        const kb = Number(r[2]);
        if (r[1] === 'anon') killed.anonRssKb = kb;
        else if (r[1] === 'file') killed.fileRssKb = kb;
        else killed.shmemRssKb = kb;
      }
      f.killed = killed;
      return true;
    },
  ],
  [
    OUTCOME,
    (m, f) => {
      f.outcome = (m[1] ?? m[2] ?? m[3])!;
      return m[1] !== undefined;
    },
  ],
];

function readSingleLine(line: string, facts: OomFacts): boolean {
  for (const [pattern, apply] of LINE_RULES) {
    const m = pattern.exec(line);
    if (m) return apply(m, facts, line) === true;
  }
  return false;
}

/** A task-table row under its header's columns; the name is the rest of the line (it may hold spaces). */
function addTask(pid: number, rest: string, columns: string[], facts: OomFacts): void {
  const fields = rest.split(/\s+/);
  const nameAt = columns.indexOf('name');
  const at = (column: string): number | undefined => {
    const j = columns.indexOf(column);
    return j >= 0 && j < fields.length && /^-?\d+$/.test(fields[j]!) ? Number(fields[j]) : undefined;
  };
  const rss = at('rss');
  if (rss === undefined || nameAt < 0) return;
  const task: OomTask = { pid, comm: fields.slice(nameAt).join(' '), rss };
  const totalVm = at('total_vm');
  const adj = at('oom_score_adj');
  if (totalVm !== undefined) task.totalVm = totalVm;
  if (adj !== undefined) task.oomScoreAdj = adj;
  facts.taskCount++;
  facts.taskRssPages += rss;
  facts.topTasks.push(task);
  if (facts.topTasks.length > TOP_TASKS * 20) keepTop(facts.topTasks, (t) => t.rss, TOP_TASKS);
}

/** Trims `items` to its `n` biggest by `size`, in place (bounded memory over thousands of rows). */
function keepTop<T>(items: T[], size: (item: T) => number, n: number): void {
  items.sort((a, b) => size(b) - size(a));
  items.length = Math.min(items.length, n);
}

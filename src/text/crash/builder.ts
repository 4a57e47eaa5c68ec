/**
 * Collects what the command parsers read and merges it into one Crash: the same task seen by
 * `sys`, `ps`, `bt -a` and `foreach bt` becomes one Task; the same page seen by `kmem` and
 * `struct page` one PageInfo. Stacks, words, instructions and symbols are gathered here and
 * settled in `finish.ts`, once everything has been read.
 */

import type {
  Crash,
  Evidence,
  Instruction,
  ModuleInfo,
  PageInfo,
  ShellCount,
  Stack,
  StructDump,
  Task,
} from '../../model/index.js';
import { emptyCrash, type InputInfo } from '../../model/index.js';
import type { Block } from './block.js';
import { WordMemory } from './views/memory-view.js';
import { SymbolTable } from './views/symbol-view.js';

export type TaskPatch = Partial<Omit<Task, 'evidence'>>;

/** A stack as read from one block, before merging with the other blocks' stacks. */
export interface StackDraft {
  stack: Stack;
  /** No `PID:` header: a grep of bt output, or a pasted piece of `bt -f`. */
  headerless: boolean;
  /** From `bt -a`: the stack of the task running on its CPU. */
  fromAllCpus: boolean;
  /** Per frame: the `#N` crash printed. */
  frameNumbers: number[];
}

/** A CPU's current task as some command said it (bt -a header, ps `>`, runq CURRENT, sys). */
export interface ActiveTask {
  cpu: number;
  pid?: number;
  task?: bigint;
  comm?: string;
  evidence: Evidence;
}

export class TranscriptBuilder {
  readonly crash: Crash;
  readonly drafts: StackDraft[] = [];
  readonly memory = new WordMemory();
  readonly instructions: Instruction[] = [];
  readonly symbols = new SymbolTable();
  readonly active: ActiveTask[] = [];
  readonly blocks: Block[] = [];
  /** Dumps of a whole struct (`struct page ADDR`), whose first printed member sits at offset 0. */
  readonly wholeStructs = new WeakSet<StructDump>();
  private readonly tasksByAddress = new Map<bigint, Task>();
  private readonly tasksByPid = new Map<number, Task[]>();

  constructor(input: InputInfo) {
    this.crash = emptyCrash(input);
  }

  /** Upserts a task: by task_struct address, else by pid (pid 0 is many idle tasks: address needed). */
  task(patch: TaskPatch, evidence?: Evidence): Task | undefined {
    let found: Task | undefined;
    if (patch.task !== undefined) found = this.tasksByAddress.get(patch.task);
    if (!found && patch.pid !== undefined && patch.pid !== 0)
      found = this.tasksByPid
        .get(patch.pid)
        ?.find((t) => t.task === undefined || patch.task === undefined || t.task === patch.task);
    if (!found) {
      if (patch.pid === undefined) return undefined;
      found = { pid: patch.pid };
      this.crash.tasks.push(found);
      const samePid = this.tasksByPid.get(patch.pid) ?? [];
      samePid.push(found);
      this.tasksByPid.set(patch.pid, samePid);
    }
    if (found.task === undefined && patch.task !== undefined) this.tasksByAddress.set(patch.task, found);
    for (const [key, value] of Object.entries(patch) as [keyof TaskPatch, unknown][]) {
      if (value === undefined) continue;
      const record = found as unknown as Record<string, unknown>;
      if (key === 'active' || key === 'panicking' || key === 'onCpu' || key === 'kernelThread') {
        if (value === true) record[key] = true;
        else if (record[key] === undefined) record[key] = value;
      } else if (record[key] === undefined) record[key] = value;
    }
    if (evidence) found.evidence = appendTo(found.evidence, evidence);
    return found;
  }

  /** The task with this task_struct address, else the one task with this (non-zero) pid. */
  findTask(address: bigint | undefined, pid: number | undefined): Task | undefined {
    if (address !== undefined) return this.tasksByAddress.get(address);
    if (pid === undefined || pid === 0) return undefined;
    const same = this.tasksByPid.get(pid);
    return same?.length === 1 ? same[0] : undefined;
  }

  activeTask(active: ActiveTask): void {
    this.active.push(active);
  }

  page(patch: PageInfo): PageInfo {
    let found = this.crash.pages.find((p) => p.address === patch.address);
    if (!found) {
      found = { address: patch.address };
      this.crash.pages.push(found);
    }
    fillMissing(found, { ...patch, evidence: undefined });
    if (patch.evidence) found.evidence = appendTo(found.evidence, ...patch.evidence);
    return found;
  }

  struct(dump: StructDump): void {
    this.crash.structs.push(dump);
  }

  shellCount(count: ShellCount): void {
    this.crash.shellCounts.push(count);
  }

  stack(draft: StackDraft): void {
    this.drafts.push(draft);
  }

  instruction(ins: Instruction): void {
    this.instructions.push(ins);
  }

  module(mod: ModuleInfo): void {
    const modules = this.crash.modules ?? [];
    this.crash.modules = modules;
    const found = modules.find((m) => m.name === mod.name);
    if (!found) modules.push(mod);
    else fillMissing(found, mod);
  }

  systemEvidence(evidence: Evidence | undefined): void {
    if (evidence) this.crash.system.evidence = appendTo(this.crash.system.evidence, evidence);
  }

  gap(what: string, why: string, evidence?: Evidence): void {
    if (this.crash.gaps.some((g) => g.what === what)) return;
    this.crash.gaps.push(evidence ? { what, why, evidence } : { what, why });
  }
}

/** Copies the fields `target` does not have yet: the first source to say something wins. */
export function fillMissing<T extends object>(target: T, patch: Partial<T>): void {
  const record = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch))
    if (value !== undefined && record[key] === undefined) record[key] = value;
}

/** Appends to an optional list, creating it when absent. */
export function appendTo<T>(list: T[] | undefined, ...items: T[]): T[] {
  const out = list ?? [];
  out.push(...items);
  return out;
}

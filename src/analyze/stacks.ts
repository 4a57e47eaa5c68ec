/**
 * Stack groups: identical call chains of the stopped contexts, grouped by function sequence, with
 * counts, CPUs, pids and comms — the expert's `bt -a | grep … | wc -l`, done on the model. Partial
 * stacks (grep output: a frame or two without a header) join the full group they are a prefix of,
 * and a shell pipeline's count from the transcript is used when it counts more than the stacks
 * that survived in it (saying so).
 */

import type { Crash, Evidence, ShellCount, Stack } from '../model/index.js';
import { isScheduler, stoppedActivity } from './activity.js';
import { baseName, formatLocation, isPieceOfAnother, locate, stacksOf, uniqueStacks } from './frames.js';
import { atomicSleepers } from './lock-holder.js';
import type { Spinner, StackGroup, StackGroupMember } from './results.js';
import { spin, spinnerLocation } from './spin.js';
import { defineAnalyzer, type Finding } from './types.js';

export interface StackGroupsResult {
  groups: StackGroup[];
  /** Shell pipelines that counted a group, with how they were read. */
  shellNotes: { group: number; count: ShellCount; role: 'total' | 'comm'; comm?: string }[];
}

interface Draft {
  functions: string[];
  members: StackGroupMember[];
  partial: boolean;
  evidence: Evidence[];
}

export const stackGroups = defineAnalyzer<StackGroupsResult>({
  meta: {
    id: 'stacks',
    description: 'Groups identical call chains (function sequence of the stopped context), largest first',
  },
  analyze(crash, context) {
    const drafts = new Map<string, Draft>();
    const seen = new Set<string>();
    const keep = new Set(uniqueStacks(crash));
    const spinners = context.get(spin).spinners;
    stacksOf(crash).forEach((stack, index) => {
      if (!keep.has(index)) return;
      // A spinner caught under an interrupt (a timer tick) groups with the others by its loop.
      const spinner = spinners.find((s) => s.stack === index);
      const loc = spinner ? spinnerLocation(stack, spinner) : locate(stack);
      const functions = untilSyscallEntry(
        stack.frames
          .slice(loc.frameIndex)
          .filter((f) => f.reliable && f.fn !== undefined)
          .map((f) => baseName(f.fn)!),
      );
      if (functions.length === 0 || isPieceOfAnother(stacksOf(crash), index)) return;
      const identity = `${stack.task ?? stack.pid ?? `#${index}`}|${functions.join(',')}|${loc.address ?? ''}`;
      if (stack.task !== undefined || stack.pid !== undefined) {
        if (seen.has(identity)) return;
        seen.add(identity);
      }
      const key = `${stack.partial ? 'partial:' : ''}${functions.join(' ')}`;
      let draft = drafts.get(key);
      if (!draft) {
        draft = { functions, members: [], partial: stack.partial === true, evidence: [] };
        drafts.set(key, draft);
      }
      draft.members.push(member(stack, index, loc.offset));
      if (stack.evidence && draft.evidence.length < 8) draft.evidence.push(stack.evidence);
    });

    // Partial stacks join the one full group whose chain they start (unique prefix match).
    const full = [...drafts.values()].filter((d) => !d.partial);
    for (const [key, draft] of drafts) {
      if (!draft.partial) continue;
      const hosts = full.filter((f) => startsWith(f.functions, draft.functions));
      if (hosts.length !== 1) continue;
      hosts[0]!.members.push(...draft.members);
      hosts[0]!.evidence.push(...draft.evidence.slice(0, 4));
      drafts.delete(key);
    }

    const groups: StackGroup[] = [...drafts.values()].map(toGroup);
    const notes = applyShellCounts(groups, crash.shellCounts, knownComms(stacksOf(crash), crash.tasks));
    const ranks = new Map(groups.map((g) => [g, rankOf(crash, g, spinners)]));
    for (const g of groups) {
      const r = ranks.get(g)!;
      if (r === RANK.sleeping) g.background = 'sleeping';
      else if (r === RANK.idle) g.background = 'idle';
      if (g.background) {
        const waitsIn = g.functions.find(
          (f) =>
            !isScheduler(f) &&
            !/^(halt|native_safe_halt|default_idle|arch_cpu_idle|default_idle_call)$/.test(f),
        );
        if (waitsIn) g.waitsIn = waitsIn;
      }
    }
    groups.sort((a, b) => ranks.get(a)! - ranks.get(b)! || b.count - a.count);
    const result: StackGroupsResult = {
      groups,
      shellNotes: notes.map(({ group, ...n }) => ({ ...n, group: groups.indexOf(group) })),
    };
    return { result, findings: findings(result, crash.system.cpus) };
  },
});

/**
 * A task's kernel stack ends at its system call's dispatch (do_syscall_64 ← entry_SYSCALL_64…);
 * frames a stack scan lists past it are stale words of earlier calls (crash's `bt` of an
 * NMI-stopped task, lab caveat), and would split identical stacks into many groups.
 */
function untilSyscallEntry(functions: string[]): string[] {
  const i = functions.findIndex((f) =>
    /^(do_syscall_64|do_fast_syscall_32|do_int80_syscall_32|do_syscall_32_irqs_on)$/.test(f),
  );
  if (i < 0) return functions;
  const next = functions[i + 1];
  return functions.slice(0, next !== undefined && /^entry_SYSCALL/.test(next) ? i + 2 : i + 1);
}

/** What a reader needs first: who spins, who is stuck or fired, then the rest; the background last. */
const RANK = { spinning: 0, stuck: 1, other: 2, sleeping: 3, idle: 4 } as const;

function rankOf(crash: Crash, g: StackGroup, spinners: Spinner[]): number {
  const stacks = stacksOf(crash);
  if (g.members.some((m) => spinners.some((s) => s.stack === m.stack))) return RANK.spinning;
  const blocked = new Set(crash.tasks.filter((t) => t.state === 'UN').map((t) => t.pid));
  // A task the log says slept holding a spinning lock is the first holder suspect.
  for (const a of atomicSleepers(crash)) blocked.add(a.pid);
  const panicCpu = crash.system.panicCpu;
  const panicPid = crash.system.panicPid;
  const stuck = g.members.some((m) => {
    const s = stacks[m.stack]!;
    return (
      s.origin === 'hung-task' ||
      (m.pid !== undefined && m.pid !== 0 && (blocked.has(m.pid) || m.pid === panicPid)) ||
      (panicCpu !== undefined && s.cpu === panicCpu && firedHere(s))
    );
  });
  if (stuck) return RANK.stuck;
  const activities = g.members.map((m) => stoppedActivity(stacks[m.stack]!).activity);
  if (activities.every((a) => a === 'idle')) return RANK.idle;
  if (activities.every((a) => a === 'sleeping')) return RANK.sleeping;
  return RANK.other;
}

/** The stack shows the panic or the detector that fired (the panic CPU's, not its idle task switched away). */
function firedHere(stack: Stack): boolean {
  return stack.frames.some((f) =>
    /^(panic|vpanic|watchdog_timer_fn|crash_kexec|__crash_kexec)$/.test(baseName(f.fn) ?? ''),
  );
}

type ShellNote = Omit<StackGroupsResult['shellNotes'][number], 'group'> & { group: StackGroup };

function member(stack: Stack, index: number, topOffset: number | undefined): StackGroupMember {
  const m: StackGroupMember = { stack: index };
  if (stack.cpu !== undefined) m.cpu = stack.cpu;
  if (stack.pid !== undefined) m.pid = stack.pid;
  if (stack.comm !== undefined) m.comm = stack.comm;
  if (topOffset !== undefined) m.topOffset = topOffset;
  return m;
}

function startsWith(chain: string[], prefix: string[]): boolean {
  return prefix.length <= chain.length && prefix.every((f, i) => chain[i] === f);
}

function toGroup(d: Draft): StackGroup {
  const offsets = [
    ...new Set(d.members.map((m) => m.topOffset).filter((o): o is number => o !== undefined)),
  ].sort((a, b) => a - b);
  const top = offsets.length
    ? `${d.functions[0]}${offsets.map((o) => `+${o}`).join('/')}`
    : formatLocation({ fn: d.functions[0] });
  const comms = new Map<string, number>();
  for (const m of d.members) if (m.comm) comms.set(m.comm, (comms.get(m.comm) ?? 0) + 1);
  return {
    functions: d.functions,
    top,
    count: d.members.length,
    members: d.members,
    comms: [...comms].map(([comm, count]) => ({ comm, count })).sort((a, b) => b.count - a.count),
    countSource: 'stacks',
    evidence: d.evidence,
  };
}

function knownComms(stacks: Stack[], tasks: { comm?: string }[]): Set<string> {
  const comms = new Set<string>();
  for (const s of stacks) if (s.comm) comms.add(s.comm);
  for (const t of tasks) if (t.comm) comms.add(t.comm);
  return comms;
}

/**
 * `grep put_compound_page … | wc -l` = 69 counts the group whose top function is the pattern;
 * `grep put_compound_page … | grep fas_readwriter | wc -l` = 34 counts that group's comm.
 */
function applyShellCounts(groups: StackGroup[], counts: ShellCount[], comms: Set<string>): ShellNote[] {
  const notes: ShellNote[] = [];
  for (const count of counts) {
    const patterns = count.patterns.filter((p) => !p.invert).map((p) => p.pattern.trim());
    const fn = patterns.find((p) => groups.some((g) => g.functions[0] === baseName(p)));
    if (!fn) continue;
    const group = groups.find((g) => g.functions[0] === baseName(fn))!;
    const others = patterns.filter((p) => p !== fn);
    const comm = others.find((p) => comms.has(p));
    if (comm) {
      const entry = group.comms.find((c) => c.comm === comm);
      if (entry) entry.count = Math.max(entry.count, count.count);
      else group.comms.unshift({ comm, count: count.count });
      group.comms.sort((a, b) => b.count - a.count);
      notes.push({ group, count, role: 'comm', comm });
    } else if (others.every((p) => p === fn) && count.count > group.count) {
      group.count = count.count;
      group.countSource = 'shell-count';
      notes.push({ group, count, role: 'total' });
    }
    if (count.evidence) group.evidence.push(count.evidence);
  }
  return notes;
}

function findings(result: StackGroupsResult, cpus: number | undefined): Finding[] {
  const out: Finding[] = [];
  const biggest = result.groups[0];
  if (biggest && biggest.count > 1) {
    const comms = biggest.comms
      .slice(0, 3)
      .map((c) => `${c.comm} ×${c.count}`)
      .join(', ');
    const source =
      biggest.countSource === 'shell-count' ? ' (count from the transcript’s shell pipeline)' : '';
    out.push({
      id: 'stacks/largest-group',
      severity: 'info',
      message: `${biggest.count} stacks at ${biggest.top} (${biggest.functions.slice(0, 4).join(' ← ')})${comms ? `, ${comms}` : ''}${source}`,
      evidence: biggest.evidence.slice(0, 3),
    });
  }
  for (const note of result.shellNotes) {
    if (note.role !== 'total') continue;
    const group = result.groups[note.group];
    if (!group) continue;
    const commNote = result.shellNotes.find((n) => n.group === note.group && n.role === 'comm');
    const lines = `\`${note.count.command.trim()}\` = ${note.count.count} counts lines of saved \`bt -a\` output`;
    const overCpus =
      cpus !== undefined && note.count.count > cpus
        ? `; with ${cpus} CPUs at most ${cpus} stacks can be running, and \`bt -a\` prints an interrupted function twice (its \`[exception RIP: …]\` line and its frame line), so this is about ${Math.ceil(note.count.count / 2)} stacks`
        : '';
    const comm = commNote
      ? ` (${commNote.count.count} ${commNote.comm} headers in the same grep context)`
      : '';
    out.push({
      id: 'stacks/shell-count',
      severity: 'info',
      message: `${lines}${overCpus}${comm}.`,
      evidence: [note.count.evidence, commNote?.count.evidence].filter((e): e is Evidence => e !== undefined),
    });
  }
  return out;
}

/**
 * Frame-match evaluation of `ktriage bt` on every lab dump that has crash/drgn references beside
 * it: CPU stacks against crash's `bt -a` and drgn's per-CPU stacks, every sleeping task against
 * drgn's `stack_trace(task)`. Prints one line per dump, the differences, and the totals.
 *
 *   npm run eval:frames [-- DIR…]   (default: ../shared/lab/corpus and /work/labdata/corpus)
 *
 * How frames are compared (see eval/frames-compare.ts): function names in order (LCS); drgn's
 * inline frames dropped (no symbol of their own, or proven inline by the call site); where a
 * reference stops short (crash's "possibly bogus exception frame", drgn's `???`) only its frames
 * are compared and ours beyond are checked against the kernel log's register dumps.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callSiteBefore } from '../src/kernel/unwind/call-site.js';
import { loadDumpDetailed } from '../src/load/dump.js';
import type { Crash } from '../src/model/crash.js';
import type { Stack } from '../src/model/stack.js';
import { parseCrashTranscript } from '../src/text/crash/index.js';
import { sharedPath } from '../test/helpers/shared.js';
import {
  addScore,
  alignNames,
  alignPairs,
  baseName,
  dropProvenInline,
  emptyScore,
  type FrameScore,
  interruptedStacksFromLog,
  type NameResolver,
  parseDrgnTasks,
  percent,
  physicalDrgnFrames,
} from './frames-compare.js';

interface Totals {
  cpuVsCrash: FrameScore;
  cpuVsDrgn: FrameScore;
  tasksVsDrgn: FrameScore;
  beyondChecked: number;
  beyondAgree: number;
  crashStale: number;
  seconds: number;
}

const verbose = process.argv.includes('-v');
const name = (f: { fn?: string }) => f.fn ?? '??';

function resolverOf(crash: Crash): NameResolver {
  const symbols = crash.symbols!;
  const names = new Set<string>();
  const core = (symbols as unknown as { core?: { count: number; entry(i: number): { name: string } } }).core;
  const modules =
    (
      symbols as unknown as {
        loadedModules?: { symbols: { count: number; entry(i: number): { name: string } } }[];
      }
    ).loadedModules ?? [];
  for (const table of [core, ...modules.map((m) => m.symbols)]) {
    if (!table) continue;
    for (let i = 0; i < table.count; i++) names.add(baseName(table.entry(i).name));
  }
  return {
    has: (n) => names.has(n),
    nameAt: (n, off) => {
      const s = symbols.byName(n);
      return s ? symbols.lookup(s.address + BigInt(off) - 1n)?.symbol.name : undefined;
    },
  };
}

/** Index of our first frame that drgn's per-CPU stack (unwound from NT_PRSTATUS) also starts at. */
function startOfSavedContext(stack: Stack, regs: Record<string, bigint>): number {
  const e = stack.exceptions.find((x) => x.regs.values.rip === regs.rip && x.regs.values.rsp === regs.rsp);
  if (e) return e.beforeFrame;
  return stack.frames[0]?.fn === 'machine_kexec' ? 1 : 0;
}

function evaluate(dir: string, totals: Totals): void {
  const scenario = dir.split('/').at(-1)!;
  const t0 = performance.now();
  const loaded = loadDumpDetailed(join(dir, 'vmcore'), { kernel: true });
  totals.seconds += (performance.now() - t0) / 1000;
  const { crash } = loaded;
  const memory = crash.memory!;
  const callTarget = (ret: bigint) => {
    const c = callSiteBefore(ret, (a, n) => memory.read(a, n));
    return c.kind === 'direct' ? c.target : undefined;
  };
  const resolver = resolverOf(crash);
  const S = { cpuVsCrash: emptyScore(), cpuVsDrgn: emptyScore(), tasksVsDrgn: emptyScore() };
  const notes: string[] = [];
  const refCrash = parseCrashTranscript(readFileSync(join(dir, 'crash', 'bt-a.txt'), 'utf8'), {
    path: 'bt-a.txt',
    format: 'crash-transcript',
  });
  const drgn = parseDrgnTasks(readFileSync(join(dir, 'drgn-tasks.txt'), 'utf8'));
  const fromLog = interruptedStacksFromLog(readFileSync(join(dir, 'vmcore-dmesg.txt'), 'utf8'));

  for (const cpu of crash.cpus) {
    const stack = cpu.stack !== undefined ? crash.stacks[cpu.stack] : undefined;
    if (!stack) continue;
    const ours = stack.frames.map(name);
    const ref = refCrash.stacks.find((s) => s.cpu === cpu.id);
    const d = drgn.cpus.find((c) => c.onCpu === cpu.id);
    const drgnNames = d ? physicalDrgnFrames(d.frames, resolver) : undefined;
    if (ref) {
      // crash names the interrupted function in its `[exception RIP: …]` line rather than as a frame
      // when the pt_regs is on the same stack: count that line as the frame it stands for.
      const bogus = ref.exceptions.find((e) => e.bogus);
      const end = bogus ? bogus.beforeFrame - 1 : ref.frames.length;
      const theirs: string[] = [];
      ref.frames.slice(0, end).forEach((f, i) => {
        const e = ref.exceptions.find((x) => x.beforeFrame === i && !x.bogus && x.ripFunction);
        if (e && f.fn !== e.ripFunction) theirs.push(e.ripFunction!);
        theirs.push(name(f));
      });
      const r = addScore(S.cpuVsCrash, ours, theirs, bogus !== undefined);
      if (r.matched !== r.total) {
        // Frames crash has and we lack that drgn's DWARF unwind does not have either: crash's stale slots.
        const withOurs = new Set(alignPairs(theirs, ours).map(([i]) => i));
        const withDrgn = new Set(alignPairs(theirs.map(baseName), drgnNames?.names ?? []).map(([i]) => i));
        const stale = theirs.filter((_, i) => !withOurs.has(i) && !withDrgn.has(i)).length;
        totals.crashStale += stale;
        notes.push(
          `CPU ${cpu.id} vs crash ${r.matched}/${r.total} (${stale} crash frames absent from drgn too)`,
        );
        if (verbose) notes.push(`  ours  ${ours.join(' < ')}`, `  crash ${theirs.join(' < ')}`);
      }
      if (bogus)
        notes.push(
          `CPU ${cpu.id}: crash stops at a bogus exception frame; ours goes on: ${ours.slice(theirs.length).join(' < ')}`,
        );
    }
    if (d && drgnNames) {
      const from = startOfSavedContext(stack, cpu.regs?.values ?? {});
      const mine = stack.frames.slice(from).map((f) => ({
        name: baseName(name(f)),
        ...(f.address !== undefined ? { pc: f.address } : {}),
        ...(f.address !== undefined && f.offset !== undefined
          ? { fnStart: f.address - BigInt(f.offset) }
          : {}),
      }));
      const proven = dropProvenInline(mine, drgnNames.names, callTarget);
      const r = addScore(
        S.cpuVsDrgn,
        mine.map((f) => f.name),
        proven.names,
        drgnNames.stoppedShort,
      );
      if (r.matched !== r.total) {
        notes.push(`CPU ${cpu.id} vs drgn ${r.matched}/${r.total}`);
        if (verbose)
          notes.push(`  ours ${mine.map((f) => f.name).join(' < ')}`, `  drgn ${proven.names.join(' < ')}`);
      }
      if (drgnNames.stoppedShort)
        notes.push(`CPU ${cpu.id}: drgn stops at ??? after ${drgnNames.names.at(-1)}`);
    }
    // What the kernel itself printed for this CPU's interrupted task (soft lockup, RCU stall, panic trace).
    const logged = fromLog.get(cpu.id);
    const beyondSomeone = ref?.exceptions.some((e) => e.bogus) || drgnNames?.stoppedShort;
    if (logged && beyondSomeone) {
      const task = stack.frames.filter((f) => f.context === 'task').map(name);
      totals.beyondChecked += logged.length;
      totals.beyondAgree += alignNames(task, logged);
      notes.push(
        `CPU ${cpu.id}: task frames past the IRQ entry vs the kernel log: ${alignNames(task, logged)}/${logged.length}`,
      );
    }
  }

  const active = new Set(crash.cpus.map((c) => c.task));
  for (const t of drgn.tasks) {
    if (active.has(t.task)) continue;
    const task = crash.tasks.find((x) => x.task === t.task);
    const stack = task?.stack !== undefined ? crash.stacks[task.stack] : undefined;
    const ours = (stack?.frames ?? []).map((f) => baseName(name(f)));
    const ref = physicalDrgnFrames(t.frames, resolver);
    const r = addScore(S.tasksVsDrgn, ours, ref.names, ref.stoppedShort);
    if (r.matched !== r.total) {
      notes.push(`PID ${t.pid} ${t.comm} vs drgn ${r.matched}/${r.total}`);
      if (verbose) notes.push(`  ours ${ours.join(' < ')}`, `  drgn ${ref.names.join(' < ')}`);
    }
  }
  loaded.kernelDump.close();
  for (const k of ['cpuVsCrash', 'cpuVsDrgn', 'tasksVsDrgn'] as const) {
    for (const f of ['stacks', 'identicalStacks', 'matched', 'total', 'beyond'] as const)
      totals[k][f] += S[k][f];
  }
  console.log(
    `${scenario.padEnd(24)} CPUs vs crash ${percent(S.cpuVsCrash).padStart(7)}  CPUs vs drgn ${percent(S.cpuVsDrgn).padStart(7)}  ` +
      `tasks vs drgn ${percent(S.tasksVsDrgn).padStart(7)} (${S.tasksVsDrgn.stacks} tasks)  frames beyond the references ${S.cpuVsCrash.beyond}`,
  );
  for (const n of notes) console.log(`    ${n}`);
}

const dirs = process.argv.slice(2).filter((a) => a !== '-v');
const roots =
  dirs.length > 0
    ? dirs
    : [sharedPath('lab', 'corpus'), '/work/labdata/corpus'].filter((d): d is string => !!d && existsSync(d));
const totals: Totals = {
  cpuVsCrash: emptyScore(),
  cpuVsDrgn: emptyScore(),
  tasksVsDrgn: emptyScore(),
  beyondChecked: 0,
  beyondAgree: 0,
  crashStale: 0,
  seconds: 0,
};
for (const root of roots) {
  const candidates = existsSync(join(root, 'vmcore'))
    ? [root]
    : readdirSync(root)
        .map((d) => join(root, d))
        .sort();
  for (const dir of candidates) {
    if (
      !existsSync(join(dir, 'vmcore')) ||
      !existsSync(join(dir, 'crash', 'bt-a.txt')) ||
      !existsSync(join(dir, 'drgn-tasks.txt'))
    )
      continue;
    evaluate(dir, totals);
  }
}
const all = emptyScore();
for (const s of [totals.cpuVsCrash, totals.cpuVsDrgn, totals.tasksVsDrgn]) {
  all.matched += s.matched;
  all.total += s.total;
}
const crashAdjusted = { ...totals.cpuVsCrash, total: totals.cpuVsCrash.total - totals.crashStale };
console.log('');
console.log(
  `CPU stacks vs crash bt -a:     ${percent(totals.cpuVsCrash)} (${totals.cpuVsCrash.matched}/${totals.cpuVsCrash.total} frames, ${totals.cpuVsCrash.identicalStacks}/${totals.cpuVsCrash.stacks} stacks identical)`,
);
console.log(
  `  without crash's stale-slot frames (absent from drgn's DWARF unwind too): ${percent(crashAdjusted)}`,
);
console.log(
  `CPU stacks vs drgn:            ${percent(totals.cpuVsDrgn)} (${totals.cpuVsDrgn.matched}/${totals.cpuVsDrgn.total})`,
);
console.log(
  `Sleeping tasks vs drgn:        ${percent(totals.tasksVsDrgn)} (${totals.tasksVsDrgn.matched}/${totals.tasksVsDrgn.total} frames, ${totals.tasksVsDrgn.identicalStacks}/${totals.tasksVsDrgn.stacks} stacks identical)`,
);
console.log(`All frames identical:          ${percent(all)} (${all.matched}/${all.total})`);
console.log(
  `Frames past where crash/drgn stop: ${totals.cpuVsCrash.beyond}; where the log has the task's trace: ${totals.beyondAgree}/${totals.beyondChecked} agree`,
);
console.log(`Load + unwind time: ${totals.seconds.toFixed(2)} s for all dumps`);

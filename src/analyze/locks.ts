/**
 * The contended lock: its address (from the spin loop's memory operand evaluated with each
 * spinner's registers, or a slow path's lock argument), what it is (a bit of a page's flags, a
 * named spinlock, a mutex the input printed), its waiters, its likely holder with the reasoning,
 * and deadlock cycles (AB-BA and longer). A register that merely holds the same value on every
 * spinner is reported as a hint, never as the lock.
 */

import type { Crash, Evidence, Stack } from '../model/index.js';
import { insideAnyLoop } from './activity.js';
import { baseName, contextFunctions, hex, locate, owner, stacksOf } from './frames.js';
import { findCycles, type PartyEdges } from './lock-cycles.js';
import { holderConfidence, rankHolders } from './lock-holder.js';
import { identifyLock, namedLock, symbolName } from './lock-identity.js';
import { type StructLock, structLocks } from './lock-structs.js';
import type { Confidence, DeadlockCycle, LockFinding, LockParty, Spinner } from './results.js';
import { isSpinFunction, looksLikeKernelAddress, spin, spinnerLocation } from './spin.js';
import { describeOperand, isBitSpin, operandAddress, type SpinLoop } from './spin-loop.js';
import { stackGroups } from './stacks.js';
import { defineAnalyzer, type Finding } from './types.js';

export interface LocksResult {
  locks: LockFinding[];
  cycles: DeadlockCycle[];
}

const CALLEE_SAVED = ['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15'];

export const locks = defineAnalyzer<LocksResult>({
  meta: {
    id: 'locks',
    description: 'The contended lock, its waiters and likely holder; AB-BA and longer deadlock cycles',
  },
  analyze(crash, context) {
    const { spinners, loops } = context.get(spin);
    const groups = context.get(stackGroups).groups;
    const structs = structLocks(crash);
    const spinning = new Set(spinners.map((s) => s.stack));

    // Spinners by lock address (or by name, a log's RIP-relative global); unresolved ones join a
    // resolved group that stopped in the same loop. An endless loop waits for nothing.
    const byAddress = new Map<bigint | string, { spinners: Spinner[]; inferred: Spinner[] }>();
    const unresolved: Spinner[] = [];
    for (const s of spinners) {
      if (s.how === 'endless-loop') continue;
      const key = s.lockAddress ?? s.lockName;
      if (key === undefined) unresolved.push(s);
      else {
        const entry = byAddress.get(key) ?? { spinners: [], inferred: [] };
        entry.spinners.push(s);
        byAddress.set(key, entry);
      }
    }
    const leftover: Spinner[] = [];
    for (const s of unresolved) {
      const loop = loops.get(s.stack);
      const host =
        [...byAddress.values()].find((e) =>
          e.spinners.some((r) => sameLoop(loops.get(r.stack), loop) && loop !== undefined),
        ) ??
        // No instructions for this one (another printing of the stack): stopped inside another
        // spinner's decoded loop, it waits on the same word.
        [...byAddress.values()].find((e) => e.spinners.some((r) => insideLoop(s.at, loops.get(r.stack))));
      if (host) host.inferred.push(s);
      else leftover.push(s);
    }

    const result: LockFinding[] = [];
    const parties: PartyEdges[] = [];
    for (const [key, entry] of byAddress) {
      result.push(spinnerLock(crash, key, entry, loops, spinning, groups));
    }
    // Held locks from callee-saved registers: a lock address some other spinner waits for, or a
    // locked spinlock the input printed (`p lab_lock_b`).
    const contended = new Map(result.filter((l) => l.address !== undefined).map((l) => [l.address!, l]));
    for (const l of structs) {
      if (l.kind !== 'spinlock' || l.address === undefined || !l.locked || contended.has(l.address)) continue;
      const extra: LockFinding = {
        address: l.address,
        kind: 'spinlock',
        description: `spinlock ${symbolName(crash, l.address) ?? l.name}`,
        waiters: [],
        confidence: 'high',
        reasoning: [`${structSource(l)}: ${l.state} — held, though no waiter is visible in the input`],
        evidence: [...l.evidence],
      };
      result.push(extra);
      contended.set(l.address, extra);
    }
    for (const s of spinners) {
      if (s.lockAddress === undefined || !contended.has(s.lockAddress)) continue;
      const loc = locate(stacksOf(crash)[s.stack]!);
      const holds: PartyEdges['holds'] = [];
      for (const reg of CALLEE_SAVED) {
        const v = loc.regs?.values[reg];
        if (v === undefined || v === s.lockAddress || !contended.has(v)) continue;
        if (holds.some((h) => h.lock === hex(v))) continue;
        holds.push({
          lock: hex(v),
          name: contended.get(v)!.description,
          why: `${reg.toUpperCase()} = ${hex(v)} in its exception frame: kept in a callee-saved register across the lock call, the usual sign of a lock taken earlier and still held`,
        });
      }
      parties.push({
        key: partyKey(partyOf(stacksOf(crash)[s.stack]!, s.stack)),
        party: partyOf(stacksOf(crash)[s.stack]!, s.stack),
        holds,
        waitsFor: { lock: hex(s.lockAddress), name: contended.get(s.lockAddress)!.description },
        evidence: s.evidence.slice(0, 1),
      });
    }
    // Mutexes (and other locks) the input printed as structures.
    for (const l of structs) {
      if (l.kind === 'spinlock') {
        const known = l.address !== undefined ? contended.get(l.address) : undefined;
        if (known && l.state && !known.reasoning.some((r) => r.startsWith(structSource(l)))) {
          known.reasoning.push(`${structSource(l)}: ${l.state}`);
          known.evidence.push(...l.evidence);
        }
        continue;
      }
      result.push(mutexLock(crash, l, parties));
    }
    const cycles = findCycles(mergeParties(parties));
    applyCycles(result, cycles, parties);
    for (const g of groupUnresolved(leftover)) result.push(unknownLock(crash, g, spinning, loops));
    result.sort((a, b) => b.waiters.length - a.waiters.length);
    return { result: { locks: result, cycles }, findings: findings(result, cycles) };
  },
});

/** How the input showed a lock structure: crash's `p NAME`, or read from the dump. */
function structSource(l: StructLock): string {
  return l.evidence.some((e) => e.source === 'dump') ? `${l.name} in the dump` : `\`p ${l.name}\``;
}

function sameLoop(a: SpinLoop | undefined, b: SpinLoop | undefined): boolean {
  if (!a || !b) return false;
  if (a.load && b.load) return a.load.address === b.load.address;
  return a.at?.fn !== undefined && a.at.fn === b.at?.fn && a.pause?.address === b.pause?.address;
}

/** `lab_bitlock_spin+67` lies within the instructions of a decoded loop of the same function. */
function insideLoop(at: string, loop: SpinLoop | undefined): boolean {
  const m = /^(.*)\+(\d+)$/.exec(at);
  if (!m || !loop?.closed) return false;
  const offsets = loop.instructions
    .filter((i) => i.fn !== undefined && baseName(i.fn) === baseName(m[1]) && i.offset !== undefined)
    .map((i) => i.offset!);
  if (offsets.length === 0) return false;
  const offset = Number(m[2]);
  return offset >= Math.min(...offsets) && offset <= Math.max(...offsets);
}

/** One key per task: pid (not 0), else task_struct, else the stack. */
function partyKey(p: LockParty): string {
  if (p.pid !== undefined && p.pid !== 0) return `p${p.pid}`;
  if (p.task !== undefined) return `t${hex(p.task)}`;
  return `s${p.stack ?? '?'}`;
}

/** The same task seen as an owner (mutex owner field) and as a waiter (its stack): one party. */
function mergeParties(parties: PartyEdges[]): PartyEdges[] {
  const byKey = new Map<string, PartyEdges>();
  for (const p of parties) {
    const known = byKey.get(p.key);
    if (!known) {
      byKey.set(p.key, { ...p, holds: [...p.holds], evidence: [...p.evidence] });
      continue;
    }
    known.party = { ...p.party, ...known.party };
    for (const h of p.holds) if (!known.holds.some((k) => k.lock === h.lock)) known.holds.push(h);
    known.waitsFor ??= p.waitsFor;
    known.evidence.push(...p.evidence);
  }
  return [...byKey.values()];
}

export function partyOf(stack: Stack, index: number): LockParty {
  const p: LockParty = { stack: index };
  if (stack.cpu !== undefined) p.cpu = stack.cpu;
  if (stack.pid !== undefined) p.pid = stack.pid;
  if (stack.comm !== undefined) p.comm = stack.comm;
  return p;
}

function spinFunctions(crash: Crash, waiters: Spinner[]): Set<string> {
  return new Set(
    waiters
      .map((w) => baseName(locate(stacksOf(crash)[w.stack]!).fn))
      .filter((f): f is string => f !== undefined),
  );
}

/**
 * The waiters' own code: the first function of each that is not lock plumbing nor instrumentation
 * called inside the loop. A cross-CPU call has no such path: its "holder" is the target CPU.
 */
function pathOf(crash: Crash, waiters: Spinner[]): string[] {
  const path = new Set<string>();
  for (const w of waiters) {
    if (w.how === 'csd-lock-wait') continue;
    const stack = stacksOf(crash)[w.stack]!;
    const fns = stack.frames
      .slice(w.frame ?? locate(stack).frameIndex)
      .filter((f) => f.reliable && f.fn !== undefined)
      .map((f) => baseName(f.fn)!);
    const fn = fns.find((f) => !isSpinFunction(f) && !insideAnyLoop(f));
    if (fn) path.add(fn);
  }
  return [...path];
}

function spinnerLock(
  crash: Crash,
  key: bigint | string,
  entry: { spinners: Spinner[]; inferred: Spinner[] },
  loops: Map<number, SpinLoop>,
  spinning: Set<number>,
  groups: ReturnType<typeof stackGroups.analyze>['result']['groups'],
): LockFinding {
  const first = entry.spinners[0]!;
  const loop = loops.get(first.stack);
  const bit = loop && isBitSpin(loop) ? loop.bit : undefined;
  const address = typeof key === 'bigint' ? key : undefined;
  const id =
    address !== undefined
      ? identifyLock(crash, address, first.how, bit)
      : namedLock(key as string, first.how, bit);
  const reasoning: string[] = [];
  const evidence: Evidence[] = [];
  let confidence: Confidence = 'medium';
  const stack = stacksOf(crash)[first.stack]!;
  const loc = spinnerLocation(stack, first);
  const fromLoop =
    loop?.load !== undefined &&
    loop.operand !== undefined &&
    (first.lockName !== undefined || operandAddress(loop.operand, loc.regs, loop.load) === address);
  if (loop?.load && loop.operand && fromLoop) {
    const reg = loop.operand.base ? loop.operand.base.replace(/^%/, '').toUpperCase() : 'RIP';
    const test = loop.test ? `, \`${loop.test.mnemonic} ${loop.test.operands}\` tests bit ${loop.bit}` : '';
    const src = loop.source ? ` (${loop.source.replace(/^.*\//, '')})` : '';
    const from = loop.load.evidence?.source === 'log' ? ' (decoded from the log’s Code: bytes)' : '';
    const operand =
      reg === 'RIP'
        ? `the RIP-relative operand ${describeOperand(loop.operand)} = ${address === undefined ? `${key as string} (the log prints no address for RIP, and has no symbol table to name the global)` : (symbolName(crash, address) ?? hex(address))}`
        : `${reg} = ${address !== undefined ? hex(address) : '?'} in ${owner(stack)}'s registers`;
    reasoning.push(
      `the spin loop at ${first.at}${src}${from}: \`${loop.load.mnemonic} ${loop.load.operands.replace(/\s+#.*$/, '')}\` reads the lock word${test}; ${operand}`,
    );
    for (const i of [loop.pause, loop.load, loop.test]) if (i?.evidence) evidence.push(i.evidence);
    confidence = 'high';
  } else {
    const rdi = loc.regs?.values.rdi;
    if (rdi !== undefined && rdi === address) {
      const also = CALLEE_SAVED.filter((r) => loc.regs?.values[r] === address).map((r) => r.toUpperCase());
      reasoning.push(
        `RDI = ${hex(rdi)} in ${first.at}'s exception frame is the slow path's first argument, the lock${also.length ? `; ${also.join(' and ')} hold the same address (kept across the call), which confirms it` : ''}`,
      );
      if (also.length) confidence = 'high';
    }
  }
  if (loc.exception?.evidence) evidence.push(loc.exception.evidence);
  const agreeing = entry.spinners.length;
  if (agreeing > 1)
    reasoning.push(
      address !== undefined
        ? `${agreeing} spinners’ registers give this same address`
        : `${agreeing} spinners stopped in this loop read this same global`,
    );
  if (entry.inferred.length) {
    reasoning.push(
      `${entry.inferred.length} more stack${entry.inferred.length > 1 ? 's' : ''} stopped in the same loop (${[...new Set(entry.inferred.map((s) => s.at))].join(', ')}) without registers in the input: assumed to wait on the same word`,
    );
  }
  const fn = first.at.replace(/\+\d+$/, '');
  const group = groups.find((g) => g.functions[0] === fn && g.countSource === 'shell-count');
  if (group) {
    const comm = group.comms[0];
    reasoning.push(
      `the transcript’s shell pipeline counted ${group.count} ${fn} lines in \`bt -a\`${comm ? ` (${comm.count} ${comm.comm})` : ''}`,
    );
  }
  const waiters = [...entry.spinners, ...entry.inferred]
    .map((s) => ({ ...partyOf(stacksOf(crash)[s.stack]!, s.stack) }))
    .filter((p) => p.pid !== undefined || p.cpu !== undefined);
  const finding: LockFinding = {
    kind: id.kind,
    description: id.description,
    waiters,
    confidence,
    reasoning,
    evidence,
  };
  if (address !== undefined) finding.address = address;
  if (id.bit !== undefined) finding.bit = id.bit;
  const unnamed = entry.spinners.length + entry.inferred.length - waiters.length;
  if (unnamed > 0) finding.unnamedWaiters = unnamed;
  const candidates = rankHolders(crash, {
    ...(address !== undefined ? { address } : {}),
    ...(id.bit !== undefined ? { bit: id.bit } : {}),
    waiters: new Set([...entry.spinners, ...entry.inferred].map((s) => s.stack)),
    spinning,
    path: pathOf(crash, entry.spinners),
    spinAt: spinFunctions(crash, [...entry.spinners, ...entry.inferred]),
    waiterPids: new Set(
      entry.spinners.map((s) => s.pid).filter((p): p is number => p !== undefined && p !== 0),
    ),
    ...(loop ? { loop } : {}),
  });
  setHolder(finding, candidates);
  return finding;
}

function setHolder(finding: LockFinding, candidates: ReturnType<typeof rankHolders>): void {
  const [best, ...rest] = candidates;
  if (best) {
    const { score: _s, reasons, evidence, ...party } = best;
    finding.holder = { ...party, confidence: holderConfidence(best), reasoning: reasons };
    finding.evidence.push(...evidence);
  }
  if (rest.length) finding.candidates = rest.slice(0, 5).map(({ evidence: _e, ...c }) => ({ ...c }));
}

function mutexLock(crash: Crash, l: StructLock, parties: PartyEdges[]): LockFinding {
  const name = l.address !== undefined ? (symbolName(crash, l.address) ?? l.name) : l.name;
  const reasoning: string[] = [];
  const finding: LockFinding = {
    kind: 'mutex',
    description: `mutex ${name}`,
    waiters: [],
    confidence: 'high',
    reasoning,
    evidence: [...l.evidence],
  };
  if (l.address !== undefined) finding.address = l.address;
  const ownerTask = l.owner ? crash.tasks.find((t) => t.task === l.owner) : undefined;
  if (l.owner) {
    const party: LockParty = { task: l.owner };
    if (ownerTask) {
      party.pid = ownerTask.pid;
      if (ownerTask.comm) party.comm = ownerTask.comm;
      if (ownerTask.state) party.state = ownerTask.state;
    }
    finding.holder = {
      ...party,
      confidence: 'high',
      reasoning: [
        `\`${l.name}\`.owner = task_struct ${hex(l.owner)} (flag bits masked)${ownerTask ? '' : '; that task is not among the tasks the input lists'}`,
      ],
    };
    parties.push({
      key: partyKey(party),
      party,
      holds: [
        {
          lock: l.address !== undefined ? hex(l.address) : l.name,
          name: `mutex ${name}`,
          why: 'its owner field',
        },
      ],
      evidence: l.evidence,
    });
  } else reasoning.push('owner field is 0: unlocked');
  if (l.firstWaiter !== undefined) {
    const waiter = stackContaining(crash, l.firstWaiter);
    if (waiter) {
      const w = partyOf(stacksOf(crash)[waiter]!, waiter);
      finding.waiters.push(w);
      parties.push({
        key: partyKey(w),
        party: w,
        holds: [],
        waitsFor: { lock: l.address !== undefined ? hex(l.address) : l.name, name: `mutex ${name}` },
        evidence: l.evidence,
      });
      reasoning.push(
        `its first waiter (mutex_waiter at ${hex(l.firstWaiter)}) lies on the stack of ${owner(stacksOf(crash)[waiter]!)}`,
      );
    } else {
      reasoning.push(
        `its wait list is not empty (first mutex_waiter at ${hex(l.firstWaiter)}, on the kernel stack ${hex(l.firstWaiter & ~0x3fffn)} of a waiter the input does not identify)`,
      );
    }
  }
  const blocked = stacksOf(crash)
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => contextFunctions(s).some((f) => /^(__)?mutex_lock/.test(f)));
  if (blocked.length && finding.waiters.length === 0) {
    const who = [...new Set(blocked.map(({ s }) => owner(s)))].join(', ');
    reasoning.push(`blocked in mutex_lock: ${who} (which mutex each waits for is not in the input)`);
  }
  return finding;
}

/** A stack whose frames' stack addresses lie in the same 16 KiB kernel stack as `address`. */
function stackContaining(crash: Crash, address: bigint): number | undefined {
  const base = address & ~0x3fffn;
  const i = stacksOf(crash).findIndex((s) =>
    s.frames.some((f) => f.stackAddress !== undefined && (f.stackAddress & ~0x3fffn) === base),
  );
  return i < 0 ? undefined : i;
}

function applyCycles(result: LockFinding[], cycles: DeadlockCycle[], parties: PartyEdges[]): void {
  for (const p of parties) {
    for (const h of p.holds) {
      const lock = result.find((l) => l.address !== undefined && hex(l.address) === h.lock);
      if (!lock || (lock.holder && lock.holder.confidence !== 'low')) continue;
      if (lock.holder) {
        lock.candidates = [
          { ...lock.holder, score: 0, reasons: lock.holder.reasoning },
          ...(lock.candidates ?? []),
        ];
      }
      lock.holder = { ...p.party, confidence: 'medium', reasoning: [h.why] };
    }
  }
  if (cycles.length)
    for (const l of result)
      if (cycles.some((c) => c.edges.some((e) => e.holds.startsWith(l.description))))
        l.reasoning.push('part of a deadlock cycle (see below)');
}

function groupUnresolved(spinners: Spinner[]): Spinner[][] {
  const by = new Map<string, Spinner[]>();
  for (const s of spinners) {
    const k = `${s.how}|${s.at.replace(/\+\d+$/, '')}`;
    by.set(k, [...(by.get(k) ?? []), s]);
  }
  return [...by.values()];
}

function unknownLock(
  crash: Crash,
  list: Spinner[],
  spinning: Set<number>,
  loops: Map<number, SpinLoop>,
): LockFinding {
  const first = list[0]!;
  const reasoning: string[] = [];
  const stacks = list.map((s) => stacksOf(crash)[s.stack]!);
  const shared = sharedRegisters(stacks);
  if (shared.length) {
    reasoning.push(
      `registers equal on all ${list.length} spinners: ${shared.map(([r, v]) => `${r.toUpperCase()} = ${hex(v)}`).join(', ')} — not evidence by itself (any pointer the callers share looks like this); the loop's memory operand decides`,
    );
  }
  const at = first.at;
  const loop = loops.get(first.stack);
  reasoning.push(
    loop
      ? `the instructions around the RIP${loop.relativeTo ? ' (the log’s Code: bytes)' : ''} do not show the lock word`
      : `the input has no disassembly of the loop: \`dis -l ${locate(stacks[0]!).address?.toString(16) ?? at}\` would show the word it reads`,
  );
  const finding: LockFinding = {
    kind: first.how === 'csd-lock-wait' ? 'csd' : 'unknown',
    description:
      first.how === 'csd-lock-wait'
        ? `the call_single_data waited on at ${at} (a cross-CPU call not yet run by its target CPU)`
        : `the lock waited on at ${at} (${first.how})`,
    waiters: list.map((s) => partyOf(stacksOf(crash)[s.stack]!, s.stack)),
    confidence: 'low',
    reasoning,
    evidence: list.flatMap((s) => s.evidence.slice(0, 1)),
  };
  const candidates = rankHolders(crash, {
    waiters: new Set(list.map((s) => s.stack)),
    spinning,
    path: pathOf(crash, list),
    spinAt: spinFunctions(crash, list),
    waiterPids: new Set(list.map((s) => s.pid).filter((p): p is number => p !== undefined && p !== 0)),
  });
  setHolder(finding, candidates);
  return finding;
}

function sharedRegisters(stacks: Stack[]): [string, bigint][] {
  if (stacks.length < 2) return [];
  const regs = stacks.map((s) => locate(s).regs?.values);
  if (regs.some((r) => !r)) return [];
  const out: [string, bigint][] = [];
  for (const [name, value] of Object.entries(regs[0]!)) {
    if (/^(rip|rsp|rflags|eflags|cs|ss|orig_rax)$/.test(name) || !looksLikeKernelAddress(value)) continue;
    if (regs.every((r) => r![name] === value)) out.push([name, value]);
  }
  return out;
}

function findings(result: LockFinding[], cycles: DeadlockCycle[]): Finding[] {
  const out: Finding[] = [];
  for (const l of result) {
    if (l.waiters.length === 0 && !l.holder) continue;
    const addr =
      l.address !== undefined &&
      !l.description.includes(hex(l.address)) &&
      !l.description.includes(l.address.toString(16))
        ? ` (${hex(l.address)})`
        : '';
    const waiters = l.waiters.length
      ? `${l.waiters.length} waiter${l.waiters.length > 1 ? 's' : ''}`
      : 'no identified waiter';
    out.push({
      id: `locks/${l.kind}`,
      severity: l.waiters.length ? 'critical' : 'warning',
      message: `Contended ${l.description}${addr}: ${waiters}, ${l.confidence} confidence`,
      evidence: l.evidence.slice(0, 4),
    });
    if (l.holder) {
      const who = [
        l.holder.pid !== undefined ? `pid ${l.holder.pid}` : undefined,
        l.holder.comm ? `"${l.holder.comm}"` : undefined,
        l.holder.cpu !== undefined ? `CPU ${l.holder.cpu}` : undefined,
        l.holder.task !== undefined && l.holder.pid === undefined ? `task ${hex(l.holder.task)}` : undefined,
      ]
        .filter(Boolean)
        .join(' ');
      out.push({
        id: 'locks/holder',
        severity: 'warning',
        message: `Likely holder of ${l.description}: ${who} (${l.holder.confidence}) — ${l.holder.reasoning[0]}`,
        evidence: l.evidence.slice(-2),
      });
    }
  }
  for (const c of cycles) {
    out.push({
      id: `locks/${c.kind}`,
      severity: 'critical',
      message: `${c.kind === 'ab-ba' ? 'AB-BA deadlock' : 'Deadlock cycle'}: ${c.edges.map((e) => `${[e.party.pid !== undefined ? `pid ${e.party.pid}` : '', e.party.cpu !== undefined ? `CPU ${e.party.cpu}` : ''].filter(Boolean).join(' ')} holds ${e.holds.replace(/ \(.*$/, '')} and waits for ${e.waitsFor.replace(/, held by .*$/, '')}`).join('; ')}`,
      evidence: c.evidence,
    });
  }
  return out;
}

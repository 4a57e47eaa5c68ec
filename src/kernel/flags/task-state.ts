/**
 * Task states: the bits of `task_struct.state` / `__state` (+ `exit_state`) per version, the kernel's
 * one-letter codes (fs/proc/array.c `task_state_array`: R S D T t X Z P I) and crash's two-letter
 * `ps` codes (RU IN UN ST TR ZO DE SW WA PA ID NE).
 *
 * Public names: `decodeTaskState`, `crashStateFromLetter`, `describeCrashState`, `TASK_STATE_TABLES`.
 *
 * v3.10 (include/linux/sched.h): RUNNING 0, INTERRUPTIBLE 1, UNINTERRUPTIBLE 2, __TASK_STOPPED 4,
 * __TASK_TRACED 8, EXIT_ZOMBIE 16, EXIT_DEAD 32, TASK_DEAD 64, WAKEKILL 128, WAKING 256, PARKED 512.
 * v3.14+ swapped EXIT_DEAD (16) and EXIT_ZOMBIE (32); v4.14 renumbered PARKED 0x40, DEAD 0x80,
 * WAKEKILL 0x100, WAKING 0x200, NOLOAD 0x400, NEW 0x800; v5.15 added RTLOCK_WAIT 0x1000; v6.1 added
 * FREEZABLE 0x2000, __TASK_FREEZABLE_UNSAFE 0x4000, FROZEN 0x8000. TASK_IDLE = UNINTERRUPTIBLE|NOLOAD.
 */

import { type BitTable, decodeBits } from './bits.js';
import { inRange, type KernelVersion, type VersionRange } from './version.js';

interface StateTable extends BitTable {
  range: VersionRange;
  exitZombie: number;
  exitDead: number;
  parked: number;
  waking: number;
  noload?: number;
}

const V3_10: StateTable = {
  id: 'task-state 3.10',
  range: { to: '3.14' },
  source: 'include/linux/sched.h of linux-3.10',
  exitZombie: 16,
  exitDead: 32,
  parked: 512,
  waking: 256,
  bits: [
    { bit: 0, name: 'TASK_INTERRUPTIBLE' },
    { bit: 1, name: 'TASK_UNINTERRUPTIBLE' },
    { bit: 2, name: '__TASK_STOPPED' },
    { bit: 3, name: '__TASK_TRACED' },
    { bit: 4, name: 'EXIT_ZOMBIE' },
    { bit: 5, name: 'EXIT_DEAD' },
    { bit: 6, name: 'TASK_DEAD' },
    { bit: 7, name: 'TASK_WAKEKILL' },
    { bit: 8, name: 'TASK_WAKING' },
    { bit: 9, name: 'TASK_PARKED' },
  ],
};

const V3_14: StateTable = {
  ...V3_10,
  id: 'task-state 3.14',
  range: { from: '3.14', to: '4.14' },
  source: 'include/linux/sched.h of linux-3.14 (EXIT_DEAD/EXIT_ZOMBIE swapped)',
  exitZombie: 32,
  exitDead: 16,
  bits: V3_10.bits.map((b) =>
    b.bit === 4 ? { bit: 4, name: 'EXIT_DEAD' } : b.bit === 5 ? { bit: 5, name: 'EXIT_ZOMBIE' } : b,
  ),
};

const V4_14: StateTable = {
  id: 'task-state 4.14+',
  range: { from: '4.14' },
  source: 'include/linux/sched.h of linux-4.14 … 6.1',
  exitZombie: 32,
  exitDead: 16,
  parked: 0x40,
  waking: 0x200,
  noload: 0x400,
  bits: [
    { bit: 0, name: 'TASK_INTERRUPTIBLE' },
    { bit: 1, name: 'TASK_UNINTERRUPTIBLE' },
    { bit: 2, name: '__TASK_STOPPED' },
    { bit: 3, name: '__TASK_TRACED' },
    { bit: 4, name: 'EXIT_DEAD' },
    { bit: 5, name: 'EXIT_ZOMBIE' },
    { bit: 6, name: 'TASK_PARKED' },
    { bit: 7, name: 'TASK_DEAD' },
    { bit: 8, name: 'TASK_WAKEKILL' },
    { bit: 9, name: 'TASK_WAKING' },
    { bit: 10, name: 'TASK_NOLOAD' },
    { bit: 11, name: 'TASK_NEW' },
    { bit: 12, name: 'TASK_RTLOCK_WAIT' },
    { bit: 13, name: 'TASK_FREEZABLE' },
    { bit: 14, name: '__TASK_FREEZABLE_UNSAFE' },
    { bit: 15, name: 'TASK_FROZEN' },
  ],
};

export const TASK_STATE_TABLES: readonly BitTable[] = [V3_10, V3_14, V4_14];

export interface DecodedTaskState {
  /** Kernel letter as /proc and sysrq-t print it. */
  letter: string;
  /** crash `ps` code. */
  crash: string;
  names: string[];
  table: BitTable;
}

export function decodeTaskState(
  state: number,
  version: KernelVersion | undefined,
  exitState = 0,
): DecodedTaskState | undefined {
  const table = version ? [V3_10, V3_14, V4_14].find((t) => inRange(version, t.range)) : undefined;
  if (!table || !Number.isInteger(state) || state < 0) return undefined;
  const value = state | exitState;
  const { names } = decodeBits(BigInt(value), table, 32);
  if (value === 0) names.push('TASK_RUNNING');
  const has = (bit: number) => (value & bit) !== 0;
  let letter: string;
  if (value === 0) letter = 'R';
  else if (has(table.exitZombie)) letter = 'Z';
  else if (has(table.exitDead)) letter = 'X';
  else if (table.noload !== undefined && has(2) && has(table.noload)) letter = 'I';
  else if (has(1)) letter = 'S';
  else if (has(2)) letter = 'D';
  else if (has(8)) letter = 't';
  else if (has(4)) letter = 'T';
  else if (has(table.parked)) letter = 'P';
  else if (has(table.waking)) letter = 'W';
  else letter = '?';
  const crash = crashStateFromLetter(letter);
  return { letter, crash, names, table };
}

const LETTER_TO_CRASH: Record<string, string> = {
  R: 'RU',
  S: 'IN',
  D: 'UN',
  T: 'ST',
  t: 'TR',
  X: 'DE',
  Z: 'ZO',
  P: 'PA',
  I: 'ID',
  W: 'WA',
  N: 'NE',
};

/** Kernel letter (`D`, or `D (disk sleep)`) → crash ps code (`UN`); `??` when unknown. */
export function crashStateFromLetter(letter: string): string {
  return LETTER_TO_CRASH[letter.trim().charAt(0)] ?? '??';
}

const CRASH_MEANING: Record<string, string> = {
  RU: 'running or runnable',
  IN: 'interruptible sleep',
  UN: 'uninterruptible sleep (D)',
  ST: 'stopped',
  TR: 'traced',
  ZO: 'zombie',
  DE: 'dead',
  SW: 'swapping',
  WA: 'waking',
  PA: 'parked',
  ID: 'idle (TASK_IDLE)',
  NE: 'new',
};

export function describeCrashState(code: string): string | undefined {
  return CRASH_MEANING[code.toUpperCase()];
}

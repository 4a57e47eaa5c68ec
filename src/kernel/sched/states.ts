/**
 * Task states: the kernel's `__state`/`state` bits and `exit_state`, turned into the letter
 * `/proc/PID/stat` and drgn print (R S D T t X Z P I) and into crash's `ps` column (RU IN UN ID ST
 * TR ZO DE PA WA NE). The bit values moved over time, so they are data: the kernel's own
 * `task_state_array[]` (fs/proc/array.c; entry 0 is "R (running)", entry i ≥ 1 names bit i-1) read
 * from the dump as crash does, else the array of the release. Public names: TaskStates,
 * STATE_NAMES_4_14, STATE_NAMES_3_15, STATE_NAMES_OLD, PF_KTHREAD.
 */

/**
 * v4.14+: 8ef9925b02c2 ("sched/debug: Add explicit TASK_PARKED printing") and 06eb61844d84
 * ("sched/debug: Add explicit TASK_IDLE printing") moved EXIT_DEAD/EXIT_ZOMBIE to 0x10/0x20 and
 * added P and I (TASK_REPORT_IDLE, reported for TASK_UNINTERRUPTIBLE|TASK_NOLOAD).
 */
export const STATE_NAMES_4_14 = [
  'R (running)',
  'S (sleeping)',
  'D (disk sleep)',
  'T (stopped)',
  't (tracing stop)',
  'X (dead)',
  'Z (zombie)',
  'P (parked)',
  'I (idle)',
];

/** v3.15 – v4.13: "wait: swap EXIT_ZOMBIE and EXIT_DEAD to hide EXIT_TRACE from user-space" made X 16, Z 32. */
export const STATE_NAMES_3_15 = [
  'R (running)',
  'S (sleeping)',
  'D (disk sleep)',
  'T (stopped)',
  't (tracing stop)',
  'X (dead)',
  'Z (zombie)',
];

/** Before v3.15: Z 16, X 32. */
export const STATE_NAMES_OLD = [
  'R (running)',
  'S (sleeping)',
  'D (disk sleep)',
  'T (stopped)',
  't (tracing stop)',
  'Z (zombie)',
  'X (dead)',
];

/** task_struct.flags: a kernel thread (stable since v2.6.27). */
export const PF_KTHREAD = 0x00200000;

/** TASK_RTLOCK_WAIT (PREEMPT_RT sleeping spinlocks, v5.15+) reports as D. */
const TASK_RTLOCK_WAIT_4_14 = 0x1000;

export class TaskStates {
  readonly interruptible: number;
  readonly uninterruptible: number;
  readonly stopped: number;
  readonly traced: number;
  readonly exitDead: number;
  readonly exitZombie: number;
  readonly parked: number;
  /** TASK_DEAD | EXIT_DEAD: crash's DE. */
  readonly dead: number;
  readonly waking: number;
  readonly noload: number;
  readonly new: number;
  /** TASK_REPORT: the bits get_task_state() looks at. */
  readonly report: number;
  private readonly letters: string;
  private readonly hasIdle: boolean;

  /** From task_state_array[] entries ("R (running)", …), as read from the dump or a release table. */
  constructor(readonly names: string[]) {
    const bit = (letter: string) => {
      const i = names.findIndex((n) => n[0] === letter);
      return i >= 1 ? 1 << (i - 1) : 0;
    };
    this.hasIdle = names.some((n) => n[0] === 'I');
    this.letters = names.map((n) => n[0] ?? '?').join('');
    this.interruptible = bit('S');
    this.uninterruptible = bit('D');
    this.stopped = bit('T');
    this.traced = bit('t');
    this.exitDead = bit('X');
    this.exitZombie = bit('Z');
    const reported = this.hasIdle ? names.length - 1 : names.length;
    this.report = (1 << (reported - 1)) - 1;
    // The states after the reported ones follow in a fixed order (include/linux/sched.h).
    const after = 1 << (reported - 1);
    if (this.hasIdle || bit('P')) {
      this.parked = bit('P');
      this.dead = this.exitDead | after;
      this.waking = after << 2;
      this.noload = after << 3;
      this.new = after << 4;
    } else {
      // v2.6.32 – v4.13: TASK_DEAD 64, TASK_WAKEKILL 128, TASK_WAKING 256, TASK_PARKED 512,
      // TASK_NOLOAD 1024 (v4.2), TASK_NEW 2048 (v4.8).
      this.dead = this.exitDead | after;
      this.waking = after << 2;
      this.parked = after << 3;
      this.noload = after << 4;
      this.new = after << 5;
    }
  }

  /** The table of a release, for dumps without task_state_array. */
  static forRelease(osrelease: string | undefined): TaskStates {
    const m = /^(\d+)\.(\d+)/.exec(osrelease ?? '');
    const v = m ? Number(m[1]) * 1000 + Number(m[2]) : 99_000;
    return new TaskStates(v >= 4014 ? STATE_NAMES_4_14 : v >= 3015 ? STATE_NAMES_3_15 : STATE_NAMES_OLD);
  }

  /** task_state_to_char(): the letter of `ps`, /proc and drgn. */
  letter(state: number, exitState: number): string {
    const idle = this.uninterruptible | this.noload;
    if (this.hasIdle && (state & idle) === idle) return 'I';
    let s = (state | exitState) & this.report;
    if (this.hasIdle && s === 0 && state & TASK_RTLOCK_WAIT_4_14) s = this.uninterruptible;
    return this.letters[s === 0 ? 0 : 32 - Math.clz32(s)] ?? '?';
  }

  /** crash's task_state_string() for `ps`. */
  crash(state: number, exitState: number): string {
    const s = state | exitState;
    let out = '??';
    let set = false;
    const mark = (name: string) => {
      out = name;
      set = true;
    };
    if (s === 0) out = 'RU';
    if (s & this.interruptible) mark('IN');
    if (s & this.uninterruptible) mark(s & this.noload ? 'ID' : 'UN');
    if (s & this.exitZombie) mark('ZO');
    if (s & this.stopped) mark('ST');
    if (s & this.traced) mark('TR');
    if (s & this.dead && !set) out = 'DE';
    if (s === this.parked) out = 'PA';
    if (s === this.waking) out = 'WA';
    if (s === this.new) out = 'NE';
    return out;
  }
}

/**
 * Which task panicked, when the transcript does not say (crash's `sys` prints the panic string but
 * not the task; only its start-up banner does): crash's `bt` shows it without saying so.
 * A stack that passes through panic() or crash_kexec() (an oops with panic_on_oops, a sysrq crash,
 * a BUG) belongs to the task that took the machine down; other CPUs' `bt -a` stacks stop in the
 * crash NMI/IPI handlers, never in these. Only one such task is believed: with two, neither is.
 */

import type { TranscriptBuilder } from './builder.js';

const PANIC_PATH = /^(?:v?panic|nmi_panic|__crash_kexec|crash_kexec)$/;

export function settlePanicTask(out: TranscriptBuilder): void {
  const crash = out.crash;
  const sys = crash.system;
  if (sys.panicPid !== undefined || crash.tasks.some((t) => t.panicking)) return;
  const stacks = crash.stacks.filter(
    (s) => !s.partial && s.pid !== undefined && s.frames.some((f) => PANIC_PATH.test(f.fn ?? '')),
  );
  const pids = new Set(stacks.map((s) => s.pid));
  if (pids.size !== 1) return;
  const stack = stacks[0]!;
  sys.panicPid = stack.pid!;
  if (stack.cpu !== undefined) sys.panicCpu ??= stack.cpu;
  if (stack.comm !== undefined) sys.panicComm ??= stack.comm;
  const task = crash.tasks.find(
    (t) => t.pid === stack.pid && (stack.task === undefined || t.task === stack.task),
  );
  if (task) task.panicking = true;
}

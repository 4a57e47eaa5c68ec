/**
 * What a stack says its CPU or task was doing, from the innermost frames of the stopped context:
 * printing a report (dump_stack, the NMI-backtrace handler, printk and the console drivers, the
 * lockup / RCU / hung-task reporting paths, the unwinder), idle, scheduled out, in lockdep's
 * bookkeeping, or running code. Frames that run inside any loop (sanitizer callbacks, cpu_relax,
 * delays) are looked through: the frame after them says what the loop is.
 *
 * And whether a stack shows a CPU caught in the act at all: an NMI backtrace, a lockup report, a
 * `bt` of a dump or an unwound task do; an oops' Call Trace shows where an exception was raised
 * (synchronously, once), a hung-task report a task asleep, and the other stacks of a report
 * (allocation/free stacks, lockdep chains) no CPU at all.
 */

import type { ExceptionFrame, Stack } from '../model/index.js';
import { baseName, contextFunctions, locate } from './frames.js';

export type Activity = 'reporting' | 'idle' | 'sleeping' | 'lockdep' | 'running';

/** Called from inside a loop body without ending it: instrumentation, pauses and delays. */
const INSIDE_ANY_LOOP =
  /^(__sanitizer_cov_\w+|__asan_\w+|__kasan_\w+|kasan_check_\w+|check_memory_region\w*|__kcsan_\w+|kcsan_\w+|__tsan_\w+|__msan_\w+|msan_\w+|kmsan_\w+|__ubsan_\w+|write_comp_data|check_kcov_mode|cpu_relax|arch_cpu_relax|rep_nop|native_pause|__delay|delay_tsc|delay_loop|delay_halt\w*|__const_udelay|__udelay|__ndelay|udelay)$/;

/**
 * The kernel printing about itself: the stack dumpers, the NMI backtrace handler, printk and the
 * serial console, the unwinder and symbol lookup they call, the reporting functions of the lockup,
 * RCU stall, hung-task and lockdep detectors, WARN/BUG, panic and the kdump stop path.
 */
const REPORTING = new Set([
  'dump_stack',
  'dump_stack_lvl',
  '__dump_stack',
  'show_stack',
  'show_stack_log_lvl',
  'show_trace_log_lvl',
  'show_trace',
  'show_regs',
  '__show_regs',
  'show_iret_regs',
  'show_opcodes',
  'show_ip',
  'dump_backtrace',
  'print_context_stack',
  'print_context_stack_bp',
  'dump_trace',
  'printk_address',
  'walk_stackframe',
  'unwind_next_frame',
  '__unwind_start',
  'unwind_get_return_address',
  'stack_trace_save',
  'stack_trace_save_tsk',
  'arch_stack_walk',
  'save_stack_trace',
  'save_stack_trace_tsk',
  '__kernel_text_address',
  'kernel_text_address',
  'kallsyms_lookup',
  'kallsyms_lookup_buildid',
  'sprint_symbol',
  '__sprint_symbol',
  'sprint_backtrace',
  'symbol_string',
  'nmi_cpu_backtrace',
  'nmi_cpu_backtrace_handler',
  'nmi_trigger_cpumask_backtrace',
  'arch_trigger_cpumask_backtrace',
  'trigger_all_cpu_backtrace',
  'trigger_single_cpu_backtrace',
  'rcu_dump_cpu_stacks',
  'print_cpu_stall',
  'print_other_cpu_stall',
  'print_cpu_stall_info',
  'rcu_check_gp_kthread_starvation',
  'rcu_exp_print_detail_task_stall_rnp',
  'dump_cpu_task',
  'sched_show_task',
  '_sched_show_task',
  'show_state_filter',
  'show_state',
  'debug_show_all_locks',
  'debug_show_held_locks',
  'lockdep_print_held_locks',
  'print_lock',
  'print_circular_bug',
  'print_usage_bug',
  'print_deadlock_bug',
  'print_bad_irq_dependency',
  'check_hung_task',
  'check_hung_uninterruptible_tasks',
  'watchdog_timer_fn',
  'watchdog_overflow_callback',
  'watchdog_hardlockup_check',
  'print_irqtrace_events',
  '__warn',
  'warn_slowpath_common',
  'warn_slowpath_fmt',
  'warn_slowpath_null',
  'report_bug',
  'panic',
  'vpanic',
  '__schedule_bug',
  'print_address_description',
  'kasan_report',
  '__kasan_report',
  'end_report',
  'printk',
  '_printk',
  'vprintk',
  'vprintk_emit',
  'vprintk_default',
  'vprintk_func',
  'vprintk_store',
  'printk_safe_flush',
  'console_unlock',
  'console_flush_all',
  'console_emit_next_record',
  'call_console_drivers',
  'call_console_driver',
  'serial8250_console_write',
  'univ8250_console_write',
  'serial8250_console_putchar',
  'uart_console_write',
  'wait_for_xmitr',
  'io_serial_in',
  'io_serial_out',
  'mem_serial_in',
  'vt_console_print',
  'crash_kexec',
  '__crash_kexec',
  'machine_kexec',
  'crash_nmi_callback',
  'native_machine_crash_shutdown',
  'kdump_nmi_shootdown_cpus',
  'nmi_shootdown_cpus',
  'native_stop_other_cpus',
  'stop_this_cpu',
  'smp_send_stop',
  'kmsg_dump',
]);

/** Where a CPU with nothing to do waits; `halt` under kvm_wait is a paravirt lock wait instead. */
const IDLE =
  /^(native_safe_halt|safe_halt|pv_native_safe_halt|xen_safe_halt|native_halt|halt|default_idle|arch_cpu_idle|default_idle_call|cpuidle_enter_state|cpuidle_enter|cpuidle_idle_call|cpu_idle_poll|poll_idle|intel_idle\w*|acpi_idle\w*|acpi_safe_halt|acpi_processor_ffh_cstate_enter|mwait_idle\w*|amd_e400_idle|do_idle|cpu_idle|cpu_startup_entry|start_secondary|rest_init)$/;

const PV_LOCK_WAIT = /^(kvm_wait|pv_wait|xen_qlock_wait)$/;

/** The scheduler and the sleeping primitives a task blocks in. */
const SCHEDULER =
  /^(__schedule|schedule|__switch_to|__switch_to_asm|context_switch|finish_task_switch|preempt_schedule\w*|___preempt_schedule\w*|schedule_timeout\w*|schedule_hrtimeout\w*|io_schedule\w*|schedule_preempt_disabled|__cond_resched|_cond_resched|do_nanosleep|rcu_note_context_switch)$/;

/** lockdep's bookkeeping around an acquire: not a wait for the lock (it runs before the attempt). */
const LOCKDEP =
  /^(lock_acquire|__lock_acquire|lock_release|__lock_release|lock_acquired|lock_contended|lock_is_held_type|__lock_is_held|validate_chain|check_prev_add|check_prevs_add|check_noncircular|check_irq_usage|mark_lock|mark_held_locks|mark_usage|lookup_chain_cache_add|hlock_class|__bfs|lockdep_\w+)$/;

export function isReporting(fn: string | undefined): boolean {
  const b = baseName(fn);
  return b !== undefined && REPORTING.has(b);
}

export function isScheduler(fn: string | undefined): boolean {
  const b = baseName(fn);
  return b !== undefined && SCHEDULER.test(b);
}

export function insideAnyLoop(fn: string | undefined): boolean {
  const b = baseName(fn);
  return b !== undefined && INSIDE_ANY_LOOP.test(b);
}

export interface StackActivity {
  activity: Activity;
  /** Index (into the given function list) of the frame that decided, past the looked-through ones. */
  index: number;
  /** Its function, suffixes stripped. */
  fn?: string;
}

/** What the innermost frames (base names, innermost first) say the context was doing. */
export function activityOf(fns: string[]): StackActivity {
  let index = 0;
  while (index < fns.length - 1 && INSIDE_ANY_LOOP.test(fns[index]!)) index++;
  const fn = fns[index];
  const out = (activity: Activity): StackActivity =>
    fn === undefined ? { activity, index } : { activity, index, fn };
  if (fn === undefined) return out('running');
  if (REPORTING.has(fn)) return out('reporting');
  if (SCHEDULER.test(fn)) {
    // The idle task switching away (schedule_idle) is an idle CPU, not a sleeping task.
    const after = fns.slice(index).find((f) => !SCHEDULER.test(f));
    return out(
      after !== undefined && /^(schedule_idle|do_idle|cpu_startup_entry)$/.test(after) ? 'idle' : 'sleeping',
    );
  }
  if (IDLE.test(fn)) {
    const next = fns[index + 1];
    // A paravirt spinlock halts the vCPU until the holder kicks it: the lock wait decides.
    if (next !== undefined && PV_LOCK_WAIT.test(next))
      return { activity: 'running', index: index + 1, fn: next };
    return out('idle');
  }
  if (LOCKDEP.test(fn)) return out('lockdep');
  return out('running');
}

/**
 * True when the stack shows a CPU or task where it was stopped asynchronously (NMI backtrace,
 * lockup report, crash `bt`, a dump's unwinder, a sysrq dump), the only stacks that can show a CPU
 * busy-waiting; an oops' trace is where an exception was raised, a hung-task report's is asleep.
 */
export function caughtInTheAct(stack: Stack): boolean {
  return asyncOrigin(stack);
}

/**
 * Of a stack that is not itself a snapshot (an oops raised in an interrupt handler), the contexts
 * an interrupt or NMI caught: the exception frames entered asynchronously.
 */
export function interruptedContexts(stack: Stack): ExceptionFrame[] {
  return stack.exceptions.filter((e) => (e.entry === 'irq' || e.entry === 'nmi') && !e.bogus);
}

function asyncOrigin(stack: Stack): boolean {
  return (
    stack.origin === 'nmi-backtrace' ||
    stack.origin === 'lockup' ||
    stack.origin === 'crash-bt' ||
    stack.origin === 'unwind' ||
    stack.origin === 'sysrq'
  );
}

/**
 * What the stack's CPU or task was doing when stopped. A task whose handler frames (those above the
 * interrupted context) begin in the scheduler was preempted there: it is scheduled out now, whatever
 * the interrupted instruction was.
 */
export function stoppedActivity(stack: Stack): StackActivity {
  const at = locate(stack).frameIndex;
  const handler = stack.frames.slice(0, at).filter((f) => f.reliable && f.fn !== undefined);
  if (handler.length && SCHEDULER.test(baseName(handler[0]!.fn)!))
    return { activity: 'sleeping', index: 0, fn: baseName(handler[0]!.fn)! };
  return activityOf(contextFunctions(stack));
}

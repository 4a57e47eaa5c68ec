/**
 * Classification without a report in a log — a crash transcript (`sys` + `bt`), a dump whose log
 * was not read: the panic string gives the kind, the panic task's stack the culprit. For a
 * hard lockup that is the function the NMI interrupted (the seed: `put_compound_page`).
 */

import type { Crash, Evidence, Stack } from '../../model/index.js';
import type { Classification } from '../results.js';
import { formatRip, panicFacts, stuckFrame } from './culprit.js';
import { kindOfPanicMessage } from './kinds.js';
import { normaliseTitle } from './title.js';

/** Title per kind when the culprit is known; `{1}` is the culprit. */
const TITLE_BY_KIND: Record<string, string> = {
  'hard-lockup': 'BUG: hard lockup in {1}',
  'soft-lockup': 'BUG: soft lockup in {1}',
  'rcu-stall': 'INFO: rcu detected stall in {1}',
  'hung-task': 'INFO: task hung in {1}',
};

/** The panicking task's stack: by task flag, then panic pid, then panic CPU. */
export function panicStack(crash: Crash): Stack | undefined {
  const sys = crash.system;
  const byTask = crash.tasks.find((t) => t.panicking && t.stack !== undefined);
  if (byTask) return crash.stacks[byTask.stack!];
  const candidates = crash.stacks.filter((s) => s.frames.length > 0);
  return (
    (sys.panicPid !== undefined ? candidates.find((s) => s.pid === sys.panicPid) : undefined) ??
    (sys.panicCpu !== undefined ? candidates.find((s) => s.cpu === sys.panicCpu) : undefined)
  );
}

export function classifyFromPanic(crash: Crash): Classification {
  const panic = crash.system.panic;
  if (!panic)
    return (
      fromPanicStack(crash) ?? { kind: 'none', title: 'no crash found', altTitles: [], corrupted: false }
    );
  const kind = kindOfPanicMessage(panic);
  const message = panic.replace(/^.*?Kernel panic - not syncing: /, '');
  // A hung-task panic is raised by khungtaskd: its stack says nothing about the blocked tasks.
  const stack = kind === 'hung-task' ? undefined : panicStack(crash);
  const frame = stack ? stuckFrame(stack) : undefined;
  const evidence: Evidence[] = crash.system.evidence
    ? [...crash.system.evidence]
    : [{ source: 'derived', text: panic }];
  const out: Classification = {
    kind,
    title: normaliseTitle(`kernel panic: ${message}`),
    altTitles: [],
    corrupted: false,
  };
  const template = TITLE_BY_KIND[kind];
  if (frame?.fn) {
    if (template) {
      out.altTitles.push(out.title);
      out.title = normaliseTitle(template.replace('{1}', frame.fn.split('.')[0]!));
    }
    const where = crash.system.panicCpu !== undefined ? `CPU ${crash.system.panicCpu}` : 'The panicking CPU';
    const what =
      kind === 'hard-lockup' || kind === 'soft-lockup' || kind === 'rcu-stall'
        ? `${where} was stuck in ${frame.fn} (${formatRip(frame.fn, frame.offset)}) when the watchdog's NMI interrupted it; the panic string is "${message}".`
        : `${frame.fn} is the first frame of the panicking task past the panic and exception machinery.`;
    const culprit: NonNullable<Classification['culprit']> = {
      function: frame.fn,
      why: what,
      evidence: frame.evidence ? [frame.evidence, ...evidence] : evidence,
    };
    if (frame.module) culprit.module = frame.module;
    out.culprit = culprit;
  } else {
    out.corrupted = true;
    out.corruptedReason = stack ? 'no usable frame in the panic stack' : 'no stack of the panicking task';
  }
  const facts = panicFacts(crash, undefined);
  if (facts) {
    if (frame?.fn && !facts.rip) facts.rip = formatRip(frame.fn, frame.offset, frame.size);
    out.panic = facts;
  }
  return out;
}

const PANIC_PATH = /^(?:v?panic|nmi_panic|__crash_kexec|crash_kexec)$/;
/** The oops path between the faulting function and crash_kexec (x86, arm64, arm). */
const OOPS_PATH =
  /^(?:(?:__)?die\w*|die_kernel_fault|oops_(?:begin|end)|page_fault_oops|no_context|kernelmode_fixup_or_oops|__bad_area\w*|bad_area\w*|do_(?:user|kern)_addr_fault|__do_page_fault|do_page_fault|exc_page_fault|asm_exc_page_fault|page_fault|__do_kernel_fault|do_translation_fault|do_mem_abort|do_DataAbort|__dabt_svc|el1_\w+|el1h_64_sync\w*|do_trap|do_error_trap|do_invalid_op|exc_invalid_op|asm_exc_invalid_op|handle_bug|invalid_op|do_general_protection|exc_general_protection|asm_exc_general_protection)$/;

/**
 * No panic string (a transcript of `bt` alone): the panicking task's stack still says the machine
 * panicked, and who called panic() — or, for an oops, where the exception hit.
 */
function fromPanicStack(crash: Crash): Classification | undefined {
  const stack = panicStack(crash);
  let last = -1;
  for (const [i, f] of (stack?.frames ?? []).entries()) if (PANIC_PATH.test(f.fn ?? '')) last = i;
  if (!stack || last < 0) return undefined;
  const exception = [...stack.exceptions].reverse().find((e) => !e.bogus && e.ripFunction);
  const after = stack.frames.slice(last + 1).filter((f) => f.fn);
  const oopsed = after.some((f) => OOPS_PATH.test(f.fn!.split('.')[0]!));
  const frame = exception ? stuckFrame(stack) : after.find((f) => !OOPS_PATH.test(f.fn!.split('.')[0]!));
  if (!frame?.fn) {
    const why = 'the stack ends at panic(): its caller and the panic string are not in the input';
    return { kind: 'panic', title: 'kernel panic', altTitles: [], corrupted: true, corruptedReason: why };
  }
  const offset = exception?.ripFunction === frame.fn ? exception.ripOffset : frame.offset;
  const fn = frame.fn.split('.')[0]!;
  const evidence: Evidence[] = frame.evidence ? [frame.evidence] : [];
  const out: Classification = {
    kind: 'panic',
    title: normaliseTitle(`kernel panic in ${fn}`),
    altTitles: [],
    corrupted: false,
    culprit: {
      function: frame.fn,
      why: exception
        ? `the panicking task took an exception in ${frame.fn} (${formatRip(frame.fn, offset)}); the panic string is not in the input (\`sys\` or \`log\` gives it).`
        : oopsed
          ? `the panicking task oopsed in ${frame.fn} (the oops path then called crash_kexec); the panic string is not in the input (\`sys\` or \`log\` gives it).`
          : `${frame.fn} called panic(); the panic string is not in the input (\`sys\` or \`log\` gives it).`,
      evidence,
      ...(frame.module ? { module: frame.module } : {}),
    },
  };
  const facts = panicFacts(crash, undefined);
  if (facts) out.panic = facts;
  return out;
}

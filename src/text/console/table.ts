/**
 * The report table: which console lines open a crash report, and for each kind of report how its
 * title is formed (syzkaller's conventions, learnt from its pkg/report/linux.go and its corpus).
 * Adding a kind is adding a row. Rows are data:
 *
 * - `title`: a one-line pattern; among a group's rows the earliest match in the report wins.
 * - `report`: line steps that must all match, in order, on successive lines (the first step may
 *   share the title's line); their captures become the title arguments.
 * - `template`: `{1}`… are the captures, then one argument per frame slot of `stack`.
 * - `stack.parts`: how frame slots are found — a pattern scans forward to its first matching line
 *   (its captures are frame candidates), `'trace'` reads a stack trace from there.
 *
 * The classifier (analyze/classify) finishes the job on structured data: skip sets, stall/hang
 * anchors, prefix stripping, normalisation.
 */

import { pattern, RIP_LINE } from './patterns.js';
import { BUG_ROWS } from './table-bug.js';
import { INFO_ROWS } from './table-info.js';
import type { HeaderGroup } from './table-types.js';
import { ripThenTrace, trace, traceOnly } from './table-types.js';
import { WARNING_ROWS } from './table-warning.js';

export const REPORT_TABLE: HeaderGroup[] = [
  // Production watchdog: "NMI watchdog: Watchdog detected hard LOCKUP on cpu 3" and the panic
  // form "Kernel panic - not syncing: Watchdog detected hard LOCKUP on cpu 10" / "Hard LOCKUP".
  {
    header: 'hard LOCKUP',
    titleHint: 'ard LOCKUP',
    suppress: [],
    rows: [
      {
        id: 'hard-lockup',
        title: /[Hh]ard LOCKUP/,
        template: 'BUG: hard lockup in {1}',
        alt: ['stall in {1}'],
        stack: {
          parts: [RIP_LINE, trace],
          fallback: traceOnly,
          skip: ['nmi', 'watchdog', 'perf_event', '__perf', 'x86_pmu', 'intel_pmu', 'amd_pmu', 'handle_pmi'],
        },
        kind: 'hard-lockup',
      },
    ],
  },
  {
    header: 'BUG:',
    suppress: [/ODEBUG:/, /Boot_DEBUG:/, /xlog_status:/, /DEBUG:/, /BUG: no syscalls can create resource/],
    rows: BUG_ROWS,
  },
  {
    header: 'WARNING:',
    suppress: [
      /WARNING: \/etc\/ssh\/moduli does not exist, using fixed modulus/,
      /WARNING: workqueue cpumask: online intersect > possible intersect/,
      /WARNING: [Tt]he mand mount option/,
      /WARNING: Unsupported flag value\(s\) of 0x%x in DT_FLAGS_1/,
      /WARNING: Unprivileged eBPF is enabled with eIBRS/,
      /WARNING: fbcon: Driver '(.*)' missed to adjust virtual screen size/,
      /WARNING: See https.* for mitigation options\./,
      /WARNING: kernel not compiled with CPU_SRSO/,
      /EXT4-[Ff][Ss](?: \(.*\))?:/,
      /[Ww][Aa][Rr][Nn][Ii][Nn][Gg]: .* uses (deprecated v2 capabilities|wireless extensions)/,
      /XFS \(\w+\): WARNING/,
      // The crash utility's own warnings, when its output is pasted without prompts.
      /^\s*WARNING: (?:active task [0-9a-f]+ on cpu \d+ not found in PID hash|possibly bogus exception frame|cannot determine starting stack frame|kernel version inconsistency|kernel relocated|could not find MAGIC_START|page excluded)/,
    ],
    rows: WARNING_ROWS,
  },
  {
    header: 'INFO:',
    suppress: [
      /INFO: lockdep is turned off/,
      /INFO: Stall ended before state dump start/,
      /INFO: NMI handler/,
      /INFO: recovery required on readonly filesystem/,
      /(handler|interrupt).*took too long/,
      /INFO: sys_.* is not present in \/proc\/kallsyms/,
      /INFO: no syscalls can create resource/,
      /rmt_storage:INFO:/,
      /_INFO:/,
    ],
    rows: INFO_ROWS,
  },
  {
    header: 'Unable to handle kernel',
    suppress: [],
    rows: [
      {
        id: 'arm-bad-access',
        title: /Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)/,
        template: 'BUG: unable to handle kernel {1} in {2}',
        alt: ['bad-access in {2}'],
        stack: { parts: ripThenTrace },
        kind: 'paging-fault',
      },
    ],
  },
  {
    header: 'general protection fault',
    suppress: [/general protection fault .* error:\d+ in /],
    rows: [
      {
        id: 'gpf',
        title: /general protection fault.*:/,
        template: 'general protection fault in {1}',
        alt: ['bad-access in {1}'],
        stack: { parts: ripThenTrace },
        kind: 'gpf',
      },
    ],
  },
  {
    header: 'stack segment: ',
    suppress: [],
    rows: [
      {
        id: 'stack-segment',
        title: /stack segment: /,
        template: 'stack segment fault in {1}',
        stack: { parts: ripThenTrace },
        kind: 'gpf',
      },
    ],
  },
  {
    header: 'Kernel panic',
    suppress: [],
    rows: [
      {
        id: 'panic-stack-protector',
        title: /Kernel panic - not syncing: stack-protector:/,
        report: [
          pattern('Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}'),
        ],
        template: 'kernel panic: stack is corrupted in {1}',
        noStackTrace: true,
        kind: 'stack-overflow',
      },
      {
        id: 'panic-stack-protector-addr',
        title: /Kernel panic - not syncing: stack-protector:/,
        report: [/Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+/],
        template: 'kernel panic: stack is corrupted in {1}',
        stack: { parts: traceOnly, skip: ['stack_chk'] },
        kind: 'stack-overflow',
      },
      {
        id: 'panic-stack-end',
        title: /Kernel panic - not syncing: corrupted stack end/,
        report: [/Kernel panic - not syncing: corrupted stack end detected inside scheduler/],
        template: 'kernel panic: corrupted stack end in {1}',
        alt: ['stack-overflow in {1}'],
        stack: { parts: traceOnly, skip: ['schedule', 'retint_kernel'], rule: 'stall' },
        kind: 'stack-overflow',
      },
      {
        id: 'panic-stack-overflow',
        title: /Kernel panic - not syncing: kernel stack overflow/,
        template: 'kernel stack overflow in {1}',
        alt: ['stack-overflow in {1}'],
        stack: { parts: traceOnly, skip: ['bad_stack'], rule: 'stall' },
        kind: 'stack-overflow',
      },
      {
        id: 'panic-kill-init',
        title: /Kernel panic - not syncing: Attempted to kill init!/,
        template: 'kernel panic: Attempted to kill init!',
        kind: 'panic',
      },
      {
        id: 'panic-ntty',
        title: /Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+/,
        template: "kernel panic: Couldn't open N_TTY ldisc",
        kind: 'panic',
      },
      // Printed after an oops/WARNING/hung task: seeing it first means the real report was lost.
      {
        id: 'panic-fatal-exception',
        title: /Kernel panic - not syncing: Fatal exception/,
        template: 'kernel panic: Fatal exception',
        corrupted: true,
        kind: 'panic',
      },
      {
        id: 'panic-on-warn',
        title: /Kernel panic - not syncing: panic_on_warn set/,
        template: 'kernel panic: panic_on_warn set',
        corrupted: true,
        kind: 'panic',
      },
      {
        id: 'panic-hung-task',
        title: /Kernel panic - not syncing: hung_task: blocked tasks/,
        template: 'kernel panic: hung_task: blocked tasks',
        corrupted: true,
        kind: 'hung-task',
      },
      {
        id: 'panic',
        title: /Kernel panic - not syncing: (.*)/,
        template: 'kernel panic: {1}',
        kind: 'panic',
      },
    ],
  },
  {
    header: 'PANIC: double fault',
    suppress: [],
    rows: [
      {
        id: 'double-fault',
        title: /PANIC: double fault/,
        template: 'PANIC: double fault in {1}',
        stack: { parts: [RIP_LINE] },
        kind: 'double-fault',
      },
    ],
  },
  {
    header: 'rust_kernel: panicked',
    suppress: [],
    rows: [
      {
        id: 'rust-panic',
        title: /rust_kernel: panicked/,
        report: [/rust_kernel: panicked at /, /^(.+)$/],
        template: '{1} in {2}',
        stack: { parts: traceOnly, skip: ['__rustc::rust_begin_unwind'] },
        kind: 'panic',
      },
    ],
  },
  {
    header: 'kernel BUG',
    suppress: [],
    rows: [
      {
        id: 'bad-usercopy',
        title: /kernel BUG at mm\/usercopy.c/,
        template: 'BUG: bad usercopy in {1}',
        stack: { parts: traceOnly, skip: ['usercopy', '__check'] },
        kind: 'bug',
      },
      {
        id: 'corrupted-list',
        title: /kernel BUG at lib\/list_debug.c/,
        template: 'BUG: corrupted list in {1}',
        alt: ['bad-access in {1}'],
        stack: { parts: traceOnly },
        kind: 'list-corruption',
      },
      {
        id: 'kernel-bug',
        title: /kernel BUG at (.*)/,
        template: 'kernel BUG in {2}',
        // skb wrappers BUG_ON for their callers' mistakes.
        stack: { parts: ripThenTrace, skip: ['^skb_'] },
        kind: 'bug',
      },
    ],
  },
  {
    header: 'Kernel BUG',
    suppress: [],
    rows: [{ id: 'kernel-bug-other', title: /Kernel BUG (.*)/, template: 'kernel BUG {1}', kind: 'bug' }],
  },
  {
    header: 'BUG kmalloc-',
    suppress: [],
    rows: [
      {
        id: 'slub-double-free',
        title: /BUG kmalloc-.*: Object already free/,
        template: 'BUG: Object already free',
        kind: 'bug',
      },
    ],
  },
  {
    header: 'divide error:',
    suppress: [],
    rows: [
      {
        id: 'divide-error',
        title: /divide error: /,
        template: 'divide error in {1}',
        stack: { parts: [RIP_LINE] },
        kind: 'divide-error',
      },
    ],
  },
  {
    // The x86 entry rework printed it with an underscore for a while.
    header: 'divide_error:',
    suppress: [],
    rows: [
      {
        id: 'divide-error-underscore',
        title: /divide_error: /,
        template: 'divide error in {1}',
        stack: { parts: [RIP_LINE] },
        kind: 'divide-error',
      },
    ],
  },
  {
    // Breakpoint trap in kernel code (text poking gone wrong, a stray int3): "Oops: int3: 0000 [#1]".
    header: 'int3: ',
    suppress: [],
    rows: [
      {
        id: 'int3',
        title: /int3: /,
        template: 'int3 in {1}',
        stack: { parts: ripThenTrace },
        kind: 'oops',
      },
    ],
  },
  {
    header: 'invalid opcode:',
    suppress: [],
    rows: [
      {
        id: 'invalid-opcode',
        title: /invalid opcode: /,
        template: 'invalid opcode in {1}',
        stack: { parts: [RIP_LINE] },
        kind: 'invalid-opcode',
      },
    ],
  },
  {
    header: 'UBSAN:',
    suppress: [],
    rows: [
      {
        id: 'ubsan-old',
        title: /UBSAN:/,
        report: [/UBSAN: Undefined behaviour in/],
        template: 'UBSAN: undefined-behaviour in {1}',
        stack: { parts: traceOnly, skip: ['ubsan', 'overflow'] },
        kind: 'ubsan',
      },
      {
        id: 'ubsan-array-index',
        title: /UBSAN: array-index-out-of-bounds in/,
        template: 'UBSAN: array-index-out-of-bounds in {1}',
        alt: ['bad-access in {1}'],
        stack: { parts: traceOnly, skip: ['ubsan', 'overflow'] },
        kind: 'ubsan',
      },
      {
        id: 'ubsan',
        title: /UBSAN:/,
        report: [/UBSAN: (.*?) in/],
        template: 'UBSAN: {1} in {2}',
        stack: { parts: traceOnly, skip: ['ubsan', 'overflow'] },
        kind: 'ubsan',
      },
    ],
  },
  {
    header: 'Booting the kernel.',
    titleHint: 'Booting the kernel',
    suppress: [/Parsing ELF|Decompressing Linux|Unknown parameter '/],
    rows: [
      {
        id: 'reboot',
        title: /^Booting the kernel/,
        template: 'unexpected kernel reboot',
        noStackTrace: true,
        kind: 'unknown',
      },
    ],
  },
  {
    header: 'unregister_netdevice: waiting for',
    suppress: [],
    rows: [
      {
        id: 'netdev-refcount',
        title: /unregister_netdevice: waiting for (?:.*) to become free/,
        template: 'unregister_netdevice: waiting for DEV to become free',
        noStackTrace: true,
        kind: 'refcount',
      },
    ],
  },
  {
    header: 'VFS: Close: file count is 0',
    suppress: [],
    rows: [
      {
        id: 'vfs-file-count',
        title: /VFS: Close: file count is 0/,
        template: 'VFS: Close: file count is zero (use-after-free)',
        noStackTrace: true,
        kind: 'refcount',
      },
    ],
  },
  {
    header: 'VFS: Busy inodes after unmount',
    suppress: [],
    rows: [
      {
        id: 'vfs-busy-inodes',
        title: /VFS: Busy inodes after unmount/,
        template: 'VFS: Busy inodes after unmount (use-after-free)',
        noStackTrace: true,
        kind: 'refcount',
      },
    ],
  },
  {
    header: 'Internal error:',
    suppress: [],
    rows: [
      {
        id: 'arm-internal-error',
        title: /Internal error:/,
        template: 'Internal error in {1}',
        alt: ['bad-access in {1}'],
        stack: { parts: ripThenTrace },
        kind: 'oops',
      },
    ],
  },
  {
    header: 'Unhandled fault:',
    suppress: [],
    rows: [
      {
        id: 'arm-unhandled-fault',
        title: /Unhandled fault:/,
        template: 'Unhandled fault in {1}',
        alt: ['bad-access in {1}'],
        stack: { parts: ripThenTrace },
        kind: 'paging-fault',
      },
    ],
  },
  {
    header: 'Alignment trap:',
    suppress: [],
    rows: [
      {
        id: 'arm-alignment-trap',
        title: /Alignment trap:/,
        template: 'Alignment trap in {1}',
        stack: { parts: ripThenTrace },
        kind: 'oops',
      },
    ],
  },
  {
    header: 'trusty: panic',
    suppress: [],
    rows: [
      {
        id: 'trusty-assert',
        title: /trusty: panic.* ASSERT FAILED/,
        report: [/trusty: panic \(.*?\):(?: DEBUG)? ASSERT FAILED at \(.*?\): (.+)/],
        template: 'trusty: ASSERT FAILED: {1}',
        noStackTrace: true,
        kind: 'panic',
      },
      {
        id: 'trusty-assert-cut',
        title: /trusty: panic.* ASSERT FAILED.*: *(.*)/,
        template: 'trusty: ASSERT FAILED: {1}',
        corrupted: true,
        kind: 'panic',
      },
      {
        id: 'trusty-panic',
        title: /trusty: panic/,
        report: [/trusty: panic \(.*?\): (.+)/],
        template: 'trusty: panic: {1}',
        noStackTrace: true,
        kind: 'panic',
      },
    ],
  },
  {
    header: 'fatal error:',
    suppress: [/ALSA/, /fatal error: cannot create timer/],
    rows: [
      {
        id: 'go-runtime',
        title: /fatal error:/,
        template: 'go runtime error',
        noStackTrace: true,
        kind: 'unknown',
      },
    ],
  },
  {
    header: 'SYZFAIL:',
    suppress: [],
    rows: [
      { id: 'syzfail', title: /SYZFAIL:(.*)/, template: 'SYZFAIL:{1}', noStackTrace: true, kind: 'unknown' },
    ],
  },
  {
    header: 'SYZFATAL:',
    suppress: [],
    rows: [
      {
        id: 'syzfatal',
        title: /SYZFATAL:(.*)()/,
        template: 'SYZFATAL:{1}',
        alt: ['SYZFATAL{2}'],
        noStackTrace: true,
        kind: 'unknown',
      },
    ],
  },
  {
    header: 'panic:',
    suppress: [/_panic:/, /xlog_status:/, /ddb\.onpanic:/, /evtlog_status:/],
    rows: [
      {
        id: 'gvisor-stuck',
        title: /panic: Sentry detected .* stuck task/,
        template: 'panic: Sentry detected stuck tasks',
        noStackTrace: true,
        kind: 'panic',
      },
      { id: 'go-panic', title: /panic:(.*)/, template: 'panic:{1}', noStackTrace: true, kind: 'panic' },
    ],
  },
];

/**
 * Headers that do not open a new report when they appear inside one (they are part of it: the
 * panic after an oops, the double fault during a page fault, arm's "Internal error" line).
 */
export const CONTINUATION_HEADERS: RegExp[] = [
  /invalid opcode: 0000/,
  /Kernel panic - not syncing/,
  /unregister_netdevice: waiting for/,
  /PANIC: double fault/,
  /Internal error:/,
];

/** Messages that are not bugs but print a stack: inside a report they mean interleaving. */
export const STACK_PRINTING_NOTICES = [
  'vmalloc: allocation failure:',
  'FAULT_INJECTION: forcing a failure',
  'FAULT_FLAG_ALLOW_RETRY missing',
];

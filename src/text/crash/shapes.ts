/**
 * The line shapes of crash's output, shared by the segmenter (which command printed this?) and the
 * per-command parsers. Every pattern is anchored and free of nested quantifiers, so a hostile line
 * costs linear time.
 */

const HEX = '[0-9a-fA-F]';

/** `crash> bt -a`, `crash64> …`, `crash 7.1.9> …` */
export const CRASH_PROMPT = /^\s*crash(?:64|32)?(?: ?\d[\d.]*)?>\s?(.*)$/;

/** `PID: 24023  TASK: ffff882f460a2e00  CPU: 10  COMMAND: "fas_readwriter"` */
export const BT_HEADER = new RegExp(
  `^\\s*PID:\\s*(\\d+)\\s+TASK:\\s*(${HEX}+)\\s+CPU:\\s*(\\d+|-)?\\s*(?:\\(\\w+\\)\\s*)?COMMAND:\\s*"(.*)"`,
);

/** ` #3 [ffff882fbfd45b78] watchdog_overflow_callback at ffffffff8111d0e2 [mod]` (bt -s adds `+off`). */
export const BT_FRAME = new RegExp(
  `^\\s*#(\\d{1,4})\\s+\\[\\s*(${HEX}{1,16})\\]\\s+(\\S+?)(?:\\+(0x${HEX}+|\\d+))?\\s+at\\s+(${HEX}{1,16})\\b(.*)$`,
);

/** bt -t / -T text-symbol line: `  [ffff882ef3927c08] schedule at ffffffff8163e879 [mod]` */
export const BT_TEXT_FRAME = new RegExp(
  `^\\s*\\[(${HEX}{8,16})\\]\\s+(\\S+?)(?:\\+(0x${HEX}+|\\d+))?\\s+at\\s+(${HEX}{8,16})\\b(.*)$`,
);

/** bt -t: `              START: __schedule at ffffffff8163df9b` */
export const BT_START = new RegExp(
  `^\\s*START:\\s+(\\S+?)(?:\\+(0x${HEX}+|\\d+))?(?:\\s+\\(\\w+\\))?\\s+at\\s+(${HEX}+)`,
);

/** `    [exception RIP: put_compound_page+336]` */
export const EXCEPTION_RIP = /^\s*\[exception RIP:\s*([^\]]*)\]/;

/** `--- <NMI exception stack> ---`, `--- <IRQ stack> ---` */
export const STACK_MARKER = /^\s*-{2,4}\s*<([^>]{1,60})>\s*-{2,4}/;

export const WARNING = /^\s*WARNING:\s*(.*)$/;

/** One `NAME: value` register pair. */
export const REGISTER_PAIR = /\b([A-Z][A-Z0-9_]{0,9}):\s+([0-9a-fA-F]{1,16})\b/g;

const REGISTER_NAMES = new Set([
  'RIP',
  'RSP',
  'RFLAGS',
  'RAX',
  'RBX',
  'RCX',
  'RDX',
  'RSI',
  'RDI',
  'RBP',
  'R8',
  'R9',
  'R10',
  'R11',
  'R12',
  'R13',
  'R14',
  'R15',
  'ORIG_RAX',
  'CS',
  'SS',
  'DS',
  'ES',
  'FS',
  'GS',
  'FS_BASE',
  'GS_BASE',
  'EIP',
  'ESP',
  'EFLAGS',
  'EAX',
  'EBX',
  'ECX',
  'EDX',
  'ESI',
  'EDI',
  'EBP',
  'ORIG_EAX',
]);

/** A line made only of register pairs (`    RAX: 006016c60138402c  RBX: ffffea0123302a40`). */
export function registerPairs(text: string): [string, bigint][] | undefined {
  if (!REGISTER_LINE.test(text)) return undefined;
  const pairs: [string, bigint][] = [];
  for (const m of text.matchAll(REGISTER_PAIR)) {
    if (!REGISTER_NAMES.has(m[1]!)) return undefined;
    pairs.push([m[1]!.toLowerCase(), BigInt(`0x${m[2]}`)]);
  }
  return pairs;
}

/** Only `NAME: value` pairs and blanks on the line (one token after another: no ambiguous backtracking). */
const REGISTER_LINE = /^\s*(?:[A-Z][A-Z0-9_]{0,9}:\s+[0-9a-fA-F]{1,16}(?:\s+|$))+$/;

/** `    ffff882f10c47db8: ffff885f706ae400 01ffc9004039e688` — bt -f frame words and `rd` lines. */
export const WORDS = new RegExp(`^\\s*(${HEX}{8,16}):\\s+(${HEX}{2,16}\\b.*)$`);

/** bt -f / -F frame words, where -F prints symbols (`lab_lock_a`, `[kmalloc-64]`) for some words. */
export const FRAME_WORDS = new RegExp(`^\\s*(${HEX}{8,16}):\\s+(\\S.*)$`);

/** `/usr/src/debug/…/bitops.h: 319` — a `dis -l` or `bt -l` source line. */
export const SOURCE_LINE =
  /^\s*((?:\/|\.{1,2}\/|[\w.+-]+\/)[^\s:]{0,400}\.(?:c|h|S|s|rs|cc|cpp|inc)):\s*(\d+)\s*$/;

/** `0xffffffff81178b5c <put_compound_page+332>:\tmov    (%r12),%rax` */
export const DIS_LINE = new RegExp(
  `^\\s*(?:=>\\s*)?0x(${HEX}{1,16})\\s+<([^>+\\s]{1,200})(?:\\+(\\d+))?>:\\s*(.*)$`,
);

export const SYS_KEYS = [
  'KERNEL',
  'DUMPFILE',
  'CPUS',
  'DATE',
  'UPTIME',
  'LOAD AVERAGE',
  'TASKS',
  'NODENAME',
  'RELEASE',
  'VERSION',
  'MACHINE',
  'MEMORY',
  'PANIC',
  'PID',
  'COMMAND',
  'TASK',
  'CPU',
  'STATE',
  'DUMP_TYPE',
] as const;

/** `     RELEASE: 3.10.0-327.22.2.el7.x86_64` */
export const SYS_LINE = new RegExp(`^\\s*(${SYS_KEYS.join('|')}):(?:\\s+(.*))?$`);

/** The sys keys that only `sys` prints (PID/TASK/CPU also start other shapes). */
export const SYS_START =
  /^\s*(KERNEL|DUMPFILE|CPUS|DATE|UPTIME|LOAD AVERAGE|NODENAME|RELEASE|MACHINE|MEMORY|PANIC):\s/;

export const PS_HEADER = /^\s*PID\s+PPID\s+CPU\s+(?:TASK|THREAD_INFO)\s+ST\s+%MEM/;

/** `>       0       0   0  ffffffff8a01aa40  RU   0.0        0        0  [swapper/0]` */
export const PS_ROW = new RegExp(
  `^\\s*(>)?\\s*(\\d+)\\s+(-?\\d+)\\s+(\\d+|-)\\s+(${HEX}{8,16})\\s+([A-Z?]{2})\\s+(\\d+(?:\\.\\d+)?)\\s+(\\d+)\\s+(\\d+)\\s+(\\S.*)$`,
);

/** ps -m / ps -l: `[ 0 00:00:00.002] [IN]  PID: 22   TASK: ffff…  CPU: 1   COMMAND: "kworker/1:0"` */
export const PS_TIME_ROW = new RegExp(
  `^\\s*\\[([^\\]]{1,40})\\]\\s+\\[([A-Z?]{2})\\]\\s+PID:\\s*(\\d+)\\s+TASK:\\s*(${HEX}+)\\s+CPU:\\s*(\\d+|-)\\s+COMMAND:\\s*"(.*)"`,
);

export const KMEM_PAGE_HEADER = /^\s*PAGE\s+PHYSICAL\s+MAPPING\s+INDEX\s+CNT\s+FLAGS/;

/** `ffffea0123300000 48cc000000 ffff882f74a96701     a600 74 6016c60138402c referenced,uptodate,…` */
export const KMEM_PAGE_ROW = new RegExp(
  `^\\s*(${HEX}{8,16})\\s+(${HEX}{1,16})\\s+(${HEX}{1,16}|-+)\\s+(${HEX}{1,16}|-+)\\s+(-?\\d+)\\s+(${HEX}{1,16})(?:\\s+(\\S+))?\\s*$`,
);

export const KMEM_INFO_HEADER = /^\s*PAGES\s+TOTAL\s+PERCENTAGE\s*$/;

export const KMEM_INFO_ROW =
  /^\s*(TOTAL MEM|FREE|USED|SHARED|BUFFERS|CACHED|SLAB|TOTAL HUGE|HUGE FREE|TOTAL SWAP|SWAP USED|SWAP FREE|COMMIT LIMIT|COMMITTED|ZONE \w+)\s+(\d+)\s+(\d+(?:\.\d+)?(?:\s+[KMGT]?B)?|0)(?:\s+(?:(\d+)%\s+of\s+TOTAL\s+\w+|----))?\s*$/;

/** `struct page {` — first line of a `struct`/`union` dump. */
export const STRUCT_OPEN = /^\s*(struct|union)\s+([A-Za-z_]\w{0,120})\s*\{\s*$/;

/** `$3 = 0xffff882f10c47dc8`, `lab_lock_a = $1 = {`, `$5 = (struct page *) 0xffffea0123300040` */
export const P_RESULT = /^\s*(?:([A-Za-z_][\w.]{0,120})\s+=\s+)?\$(\d{1,6})\s+=\s?(.*)$/;

/** `  flags = 0x6fffff00008000,`, `lru.next = 0xffffffff81173140 <free_compound_page>,`, `_count = {` */
export const FIELD = /^\s*([A-Za-z_][\w.]{0,200}(?:\[\d{1,6}\])?)\s+=\s+(.*?)\s*$/;

/** `ffffffffc04f93c4 (B) lab_lock_a [lab_abba]`, `ffffffff81178b60 (T) put_compound_page+336 …/swap.c: 123` */
export const SYM_LINE = new RegExp(
  `^\\s*(${HEX}{8,16})\\s+\\(([A-Za-z?])\\)\\s+([A-Za-z_.$][\\w.$]{0,200})(?:\\+(\\d+|0x${HEX}+))?(?:\\s+\\[([\\w-]{1,64})\\])?(?:\\s+(.*))?$`,
);

export const RUNQ_CPU = new RegExp(`^\\s*CPU\\s+(\\d+)\\s+RUNQUEUE:\\s*(${HEX}+)`);
export const RUNQ_TASK = new RegExp(
  `^\\s*(CURRENT:|\\[\\s*(\\d+)\\])\\s*PID:\\s*(\\d+)\\s+TASK:\\s*(${HEX}+)\\s+COMMAND:\\s*"(.*)"`,
);
/** runq -t: ` CPU 1: 20050796344` (rq clock, ns) then the active task with its last arrival. */
export const RUNQ_CLOCK = /^\s*CPU\s+(\d+):\s+(\d{1,20})\s*$/;
export const RUNQ_STAMPED_TASK = new RegExp(
  `^\\s+(\\d{1,20})\\s+PID:\\s*(\\d+)\\s+TASK:\\s*(${HEX}+)\\s+COMMAND:\\s*"(.*)"`,
);
export const RUNQ_OTHER =
  /^\s*(?:(?:RT|CFS|DL)\s+(?:PRIO_ARRAY|RB_ROOT|RB_ROOT_CACHED)?:?|\[no tasks queued\]|GROUP\s|CPU\s+\d+:)/;

export const MOD_HEADER = /^\s*MODULE\s+NAME\s+(?:TEXT_)?BASE\s+SIZE\s+OBJECT\s+FILE/;
export const MOD_ROW = new RegExp(
  `^\\s*(${HEX}{8,16})\\s+([\\w-]{1,64})\\s+(${HEX}{8,16})\\s+(\\d+)\\s+(.*?)\\s*$`,
);

/** `[  123.456789] text`, `<4>[  123.456789] text`, `[Wed Oct 18 20:37:18 2017] text` */
export const LOG_LINE = /^\s*(?:<(\d)>)?\[\s*(\d{1,10}\.\d{1,9})\]\s?(.*)$/;
export const LOG_WALL_LINE =
  /^\s*(?:<(\d)>)?\[((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d [\d:]{8} \d{4})\]\s?(.*)$/;

export const BARE_ADDRESS = new RegExp(`^\\s*(${HEX}{8,16})\\s*$`);
export const COUNT_LINE = /^\s*(\d{1,12})\s*$/;

export const CONFIG_LINE = /^\s*(?:[\w./-]{1,200}:)?(CONFIG_[A-Z0-9_]{1,100})=(\S{1,200})\s*$/;
export const CONFIG_UNSET = /^\s*#\s*(CONFIG_[A-Z0-9_]{1,100}) is not set\s*$/;

/** Commands people run in a shell around crash: a line starting with one of these is a command line. */
export const SHELL_COMMANDS =
  /^(?:grep|egrep|fgrep|zgrep|rg|cat|zcat|less|more|head|tail|wc|awk|sed|sort|uniq|cut|tr|crash|ls|echo|uname|rpm|dmesg|journalctl|sysctl|find|xargs)\b/;

/** `[user@host dir]# cmd`, `root@host:~# cmd`, `user@host:/x$ cmd` */
export const SHELL_PROMPT =
  /^\s*(?:\[[^\]\s]{1,80}@[^\]]{1,200}\]|[\w.-]{1,64}@[\w.-]{1,64}:[^#$\s]{0,200})\s?[#$]\s?(.*)$/;
/** `# grep …`, `$ grep …` (only with a known command word, so `# CONFIG_X is not set` stays data). */
export const BARE_SHELL_PROMPT = /^\s*[#$%]\s+(.*)$/;

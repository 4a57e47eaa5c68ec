/**
 * Joins lines that a mail client, a forum or a narrow terminal wrapped at a word boundary, where
 * the shape makes the wrap certain: a bt header whose `COMMAND:` went to the next line, a frame
 * whose address or `[module]` did, a register line ending in `NAME:`, a `dis` line whose
 * instruction did, a command line continued by `| wc -l`, a quoted PANIC/COMMAND string.
 * Anything less certain stays as it is. The joined line keeps the first line's number.
 */

import type { Line } from './lines.js';

const HEADER_WITHOUT_COMMAND = /^\s*PID:\s*\d+\s+TASK:\s*[0-9a-f]+\s+CPU:\s*\S+\s*$/;
const HEADER_WITHOUT_NAME = /^\s*PID:\s*\d+\s+TASK:\s*[0-9a-f]+\s+CPU:\s*\S+\s+COMMAND:\s*$/;
/** `PANIC: "Oops: …" (check log for` + `details)` */
const OPEN_PARENTHESIS = /^\s*(?:PANIC|STATE):.*\([^)]*$/;
const FRAME_WITHOUT_ADDRESS = /^\s*#\d+\s+\[[0-9a-f]+\]\s+\S+\s+at\s*$/;
const FRAME = /^\s*#\d+\s+\[[0-9a-f]+\]\s+\S+\s+at\s+[0-9a-f]+\s*$/;
const REGISTER_NAME_AT_END = /^\s*[A-Z].*\b[A-Z][A-Z0-9_]{0,9}:\s*$/;
const DIS_WITHOUT_INSTRUCTION = /^\s*0x[0-9a-f]+\s+<[^>]+>:\s*$/;
const COMMAND_LINE = /^\s*(?:crash(?:64)?>|\[[^\]]+@[^\]]+\][#$]|[\w.-]+@[\w.-]+:\S*[#$])/;
const KMEM_ROW_WITHOUT_NAMES =
  /^\s*[0-9a-f]{8,16}\s+[0-9a-f]+\s+(?:[0-9a-f]+|-+)\s+(?:[0-9a-f]+|-+)\s+\d+\s+[0-9a-f]+\s*$/;
const SHELL_PROMPT_LINE = /^\s*(?:\[[^\]]+@[^\]]+\][#$]|[\w.-]+@[\w.-]+:\S*[#$])\s*\S/;
const DIS_LINE = /^\s*0x[0-9a-f]+\s+<[^>]+>:/;
const SYS_VALUE_WITHOUT_MARK = /^\s*(?:PANIC|STATE|MACHINE|DUMPFILE|KERNEL):\s+[^(]*$/;
const DIS_MNEMONIC_ONLY = /^\s*0x[0-9a-f]+\s+<[^>]+>:\s*[a-z][a-z0-9]*\s*$/;
const EXCEPTION_WITHOUT_END = /^\s*\[exception RIP:[^\]]*$/;
const PIPE_AT_END = /^\s*(?:crash(?:64)?>|\[[^\]]+@[^\]]+\][#$]|[\w.-]+@[\w.-]+:\S*[#$]).*\|\s*$/;
const WC_AT_END = /^\s*(?:crash(?:64)?>|\[[^\]]+@[^\]]+\][#$]|[\w.-]+@[\w.-]+:\S*[#$]).*\bwc\s*$/;
const SHELL_WORD_ONLY = /\][#$]\s*(?:grep|egrep|zgrep|awk|sed)\s*$/;
const OPEN_QUOTE = /^\s*(?:PANIC|COMMAND):\s*"[^"]*$/;

/** [the cut line, the line that finishes it]: a pair joins when any rule says so. */
const RULES: [RegExp, (next: string, prev: string) => boolean][] = [
  [HEADER_WITHOUT_COMMAND, (n) => /^COMMAND:/.test(n)],
  [HEADER_WITHOUT_NAME, (n) => /^"/.test(n)],
  [OPEN_QUOTE, (n) => /"/.test(n)],
  [OPEN_PARENTHESIS, (n) => /\)\s*$/.test(n) && !/\(/.test(n)],
  [
    SYS_VALUE_WITHOUT_MARK,
    (n) => /^\((?:PANIC|ACTIVE|\d+ Mhz|check log)|^\[(?:PARTIAL DUMP|TAINTED)\]/.test(n),
  ],
  [FRAME_WITHOUT_ADDRESS, (n) => /^[0-9a-f]{8,16}\b/.test(n)],
  [FRAME, (n) => /^\[[\w-]{1,64}\]$/.test(n)],
  [REGISTER_NAME_AT_END, (n) => /^[0-9a-f]{1,16}\b/.test(n)],
  [DIS_WITHOUT_INSTRUCTION, (n) => /^[a-z]/.test(n) && !/^[\w/.-]+\.\w+:\s*\d+$/.test(n)],
  // `je 0xffffffff810e3b00` + `<get_futex_key+144>`
  [DIS_LINE, (n) => /^<[\w.$]+(?:\+\d+)?>$/.test(n)],
  // `lea` + `-0x38(%rbp),%rcx`
  [DIS_MNEMONIC_ONLY, (n) => /^[-$%(*]|^0x[0-9a-f]+\(/.test(n)],
  [EXCEPTION_WITHOUT_END, (n) => /\]/.test(n)],
  // kmem's flag names went to the next line
  [KMEM_ROW_WITHOUT_NAMES, (n) => /^[a-z_]+(?:,[a-z_0-9]+)+$|^[a-z_]{3,}$/.test(n)],
  // a shell pipeline cut after its first stages
  [SHELL_PROMPT_LINE, (n) => /\|\s*grep\b|\|\s*wc\s+-l\s*$/.test(n) && !/[\u2e80-\u9fff]/.test(n)],
  [COMMAND_LINE, (n) => /^\|/.test(n)],
  [PIPE_AT_END, (n) => !/^\d+$/.test(n)],
  [WC_AT_END, (n) => /^-[lcw]\b/.test(n)],
  // the prompt took the width: only the command word fitted (`…]# grep` + `pattern file | wc -l`)
  [SHELL_WORD_ONLY, (n) => /\s/.test(n) && !/^\d+$/.test(n) && !/[\u2e80-\u9fff]/.test(n)],
];

function joins(prev: string, next: string): boolean {
  const n = next.trim();
  if (n === '') return false;
  return RULES.some(([cut, finishes]) => cut.test(prev) && finishes(n, prev));
}

export function unwrap(lines: Line[]): Line[] {
  const out: Line[] = [];
  for (const line of lines) {
    const prev = out[out.length - 1];
    if (prev && joins(prev.text, line.text)) {
      out[out.length - 1] = {
        n: prev.n,
        raw: `${prev.raw.trimEnd()} ${line.raw.trim()}`,
        plain: `${prev.plain.trimEnd()} ${line.plain.trim()}`,
        text: `${prev.text.trimEnd()} ${line.text.trim()}`,
      };
      continue;
    }
    out.push(line);
  }
  return out;
}

/**
 * Is this text a crash transcript or a console log? A `crash>` prompt settles it; otherwise shapes
 * that only crash prints (`#3 [ffff…] fn at ffff…`, `PID: … TASK: …`, `KERNEL:`/`PANIC:` of `sys`,
 * the ps/kmem/runq/mod headers, `dis` lines) decide, against timestamped log lines. Line numbers
 * a code block copied are read past. Reads at most the first 20000 lines.
 */

import { ARM_FRAME } from './commands/bt-arm.js';
import { cleanLine, unquoteMail } from './lines.js';
import { numberPrefixes } from './numbering.js';
import {
  BT_FRAME,
  BT_HEADER,
  CRASH_PROMPT,
  DIS_LINE,
  EXCEPTION_RIP,
  KMEM_INFO_HEADER,
  KMEM_INFO_ROW,
  KMEM_PAGE_HEADER,
  LOG_LINE,
  MOD_HEADER,
  P_RESULT,
  PS_HEADER,
  PS_ROW,
  RUNQ_CPU,
  STACK_MARKER,
  STRUCT_OPEN,
  SYM_LINE,
  SYS_START,
  WORDS,
} from './shapes.js';

const STRONG = [
  BT_HEADER,
  BT_FRAME,
  ARM_FRAME,
  EXCEPTION_RIP,
  STACK_MARKER,
  PS_HEADER,
  KMEM_PAGE_HEADER,
  KMEM_INFO_HEADER,
  KMEM_INFO_ROW,
  RUNQ_CPU,
  MOD_HEADER,
  DIS_LINE,
];
const WEAK = [PS_ROW, P_RESULT, SYM_LINE, STRUCT_OPEN, WORDS];

export interface TranscriptScore {
  transcript: boolean;
  prompts: number;
  strong: number;
  weak: number;
  sysKeys: number;
  logLines: number;
}

export function scoreTranscript(text: string): TranscriptScore {
  const score: TranscriptScore = {
    transcript: false,
    prompts: 0,
    strong: 0,
    weak: 0,
    sysKeys: 0,
    logLines: 0,
  };
  if (typeof text !== 'string') return score;
  const sysKeys = new Set<string>();
  const raws: string[] = [];
  let start = 0;
  for (let n = 0; n < 20000 && start <= text.length; n++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    raws.push(text.slice(start, Math.min(end, start + 4096)));
    start = end + 1;
  }
  const numbers = numberPrefixes(raws);
  for (let n = 0; n < raws.length; n++) {
    const line = cleanLine(unquoteMail(raws[n]!.slice(numbers[n])));
    if (CRASH_PROMPT.test(line)) score.prompts++;
    else if (LOG_LINE.test(line)) score.logLines++;
    else if (STRONG.some((r) => r.test(line))) score.strong++;
    else if (WEAK.some((r) => r.test(line))) score.weak++;
    const sys = SYS_START.exec(line);
    if (sys) sysKeys.add(sys[1]!);
  }
  score.sysKeys = sysKeys.size;
  score.transcript =
    score.prompts > 0 || score.sysKeys >= 3 || score.strong >= 2 || (score.weak >= 3 && score.logLines === 0);
  return score;
}

/**
 * One console line → its prefixes and its message. Handles every wrapper people paste: printk
 * timestamps `[  123.456789]`, caller ids `[T123]`/`[ C1]` (glued `][ T4588]` or spaced), levels
 * `<4>` (also after the stamp, as crash's `log -m` prints them), `dmesg -T` wall-clock stamps,
 * `dmesg -x` facility/level columns, ISO stamps, syslog/journal prefixes (`Mar  3 12:00:00 host
 * kernel: `), serial-console chatter glued in front (`syzkaller login: `), printk's
 * "messages dropped" marker, and the way logs get pasted: indented before the stamp, mail-quoted.
 *
 * A hand-written scanner, not regexes: every line of a multi-GB log goes through here, and it must
 * stay linear whatever the bytes are.
 */

import type { CallerId } from '../../model/index.js';

export interface LinePrefix {
  time?: number;
  wallTime?: string;
  level?: number;
  facility?: number;
  caller?: CallerId;
  /** Program of a syslog line that is not the kernel's (`sshd[12]`), when the line is one. */
  source?: string;
  /** Message, prefixes removed (one space after the stamp consumed, further indentation kept). */
  text: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
];
const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === 32 || c === 9;

/** Where the last successful stampAt/callerAt scan ended (saves a tuple per line). */
let scanEnd = 0;

/** Parses `[  123.456789]` at `pos`: seconds (end in scanEnd), or -1. */
function stampAt(s: string, pos: number): number {
  if (s.charCodeAt(pos) !== 91 /* [ */) return -1;
  let i = pos + 1;
  while (s.charCodeAt(i) === 32) i++;
  const intStart = i;
  let whole = 0;
  let c = s.charCodeAt(i);
  while (c >= 48 && c <= 57) {
    whole = whole * 10 + (c - 48);
    c = s.charCodeAt(++i);
  }
  if (i === intStart || i - intStart > 12 || c !== 46 /* . */) return -1;
  const fracStart = ++i;
  let frac = 0;
  let scale = 1;
  c = s.charCodeAt(i);
  while (c >= 48 && c <= 57) {
    frac = frac * 10 + (c - 48);
    scale *= 10;
    c = s.charCodeAt(++i);
  }
  if (i === fracStart || i - fracStart > 9 || c !== 93 /* ] */) return -1;
  scanEnd = i + 1;
  return whole + frac / scale;
}

/** `[T123]`, `[ C1]` at pos → the caller (end in scanEnd). */
function callerAt(s: string, pos: number): CallerId | undefined {
  if (s.charCodeAt(pos) !== 91) return undefined;
  let i = pos + 1;
  while (s.charCodeAt(i) === 32) i++;
  const k = s.charCodeAt(i);
  if (k !== 84 /* T */ && k !== 67 /* C */) return undefined;
  const start = ++i;
  let id = 0;
  let c = s.charCodeAt(i);
  while (c >= 48 && c <= 57) {
    id = id * 10 + (c - 48);
    c = s.charCodeAt(++i);
  }
  if (i === start || i - start > 10 || c !== 93) return undefined;
  scanEnd = i + 1;
  return { kind: k === 84 ? 'task' : 'cpu', id };
}

/** `<N>` at pos → [value, index after `>`]. */
function levelAt(s: string, pos: number): [number, number] | undefined {
  if (s.charCodeAt(pos) !== 60 /* < */) return undefined;
  let i = pos + 1;
  const start = i;
  while (isDigit(s.charCodeAt(i))) i++;
  if (i === start || i - start > 3 || s.charCodeAt(i) !== 62 /* > */) return undefined;
  return [Number(s.slice(start, i)), i + 1];
}

/** `[Mon Mar  3 12:00:00 2024]` (dmesg -T, crash log -T) → [text, index after `]`]. */
function wallStampAt(s: string, pos: number): [string, number] | undefined {
  if (s.charCodeAt(pos) !== 91) return undefined;
  const w = s.charCodeAt(pos + 1);
  // M(on) T(ue/hu) W(ed) F(ri) S(at/un)
  if (w !== 77 && w !== 84 && w !== 87 && w !== 70 && w !== 83) return undefined;
  const day = s.slice(pos + 1, pos + 4).toLowerCase();
  if (!WEEKDAYS.includes(day)) return undefined;
  const end = s.indexOf(']', pos);
  if (end < 0 || end - pos > 40) return undefined;
  const inner = s.slice(pos + 1, end);
  // dmesg -T: `Mon Mar  3 12:00:00 2024`; crash log -T adds the zone: `Fri Nov 27 05:50:56 UTC 2026`.
  if (!/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d (?:[A-Z]{2,5} )?\d{4}$/.test(inner)) return undefined;
  return [inner, end + 1];
}

/** `2024-03-03T12:00:00,123456+00:00` (dmesg --time-format iso, journal -o short-iso). */
function isoStampAt(s: string, pos: number): [string, number] | undefined {
  if (!isDigit(s.charCodeAt(pos)) || s.charCodeAt(pos + 4) !== 45 || s.charCodeAt(pos + 10) !== 84)
    return undefined;
  let i = pos + 11;
  while (i < s.length && i - pos < 40 && !isSpace(s.charCodeAt(i))) i++;
  const text = s.slice(pos, i);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,\d]*(?:Z|[+-]\d\d:?\d\d)?$/.test(text)) return undefined;
  return [text, i];
}

/** `Mar  3 12:00:00` (classic syslog, journalctl short) → [text, index after it]. */
function syslogStampAt(s: string, pos: number): [string, number] | undefined {
  // Month initials, either case: J F M A S O N D.
  const m = s.charCodeAt(pos) | 0x20;
  if (m !== 106 && m !== 102 && m !== 109 && m !== 97 && m !== 115 && m !== 111 && m !== 110 && m !== 100)
    return undefined;
  if (!MONTHS.includes(s.slice(pos, pos + 3).toLowerCase()) || s.charCodeAt(pos + 3) !== 32) return undefined;
  let i = pos + 4;
  while (s.charCodeAt(i) === 32) i++;
  const d = i;
  while (isDigit(s.charCodeAt(i))) i++;
  if (i === d || i - d > 2 || s.charCodeAt(i) !== 32) return undefined;
  i++;
  // hh:mm:ss[.frac]
  if (!(isDigit(s.charCodeAt(i)) && s.charCodeAt(i + 2) === 58 && s.charCodeAt(i + 5) === 58))
    return undefined;
  i += 8;
  while (s.charCodeAt(i) === 46 || isDigit(s.charCodeAt(i))) i++;
  return [s.slice(pos, i), i];
}

/**
 * After a syslog stamp: `host [FAC.LEVEL] prog[pid]: message`. Returns the program name and the
 * index of the message, or undefined when this is not the shape.
 */
function syslogTagAfter(s: string, pos: number): [string, number] | undefined {
  const limit = Math.min(s.length, pos + 160);
  let i = pos;
  while (i < limit && isSpace(s.charCodeAt(i))) i++;
  // Up to three space-separated tokens (host, optional FACILITY.LEVEL, program:).
  for (let token = 0; token < 3 && i < limit; token++) {
    const start = i;
    while (i < limit && !isSpace(s.charCodeAt(i))) i++;
    const colon = i > start && s.charCodeAt(i - 1) === 58; /* : */
    // The host name comes first and has no colon: `watchdog: BUG: …` is a message, not a tag.
    if (colon && token === 0) return undefined;
    if (colon) {
      const tag = s.slice(start, i - 1);
      const bracket = tag.indexOf('[');
      const prog = bracket > 0 ? tag.slice(0, bracket) : tag;
      const next = s.charCodeAt(i) === 32 ? i + 1 : i;
      return [prog, next];
    }
    while (i < limit && isSpace(s.charCodeAt(i))) i++;
  }
  return undefined;
}

/** `kern  :warn  : ` (dmesg -x) → [facility, level, index after]. */
function decodedLevelAt(s: string, pos: number): [number, number, number] | undefined {
  const colon = s.indexOf(':', pos);
  if (colon < 0 || colon - pos > 9) return undefined;
  const fac = FACILITIES.indexOf(s.slice(pos, colon).trim());
  if (fac < 0) return undefined;
  const colon2 = s.indexOf(':', colon + 1);
  if (colon2 < 0 || colon2 - colon > 9) return undefined;
  const lvl = LEVELS.indexOf(s.slice(colon + 1, colon2).trim());
  if (lvl < 0 || s.charCodeAt(colon2 + 1) !== 32) return undefined;
  return [fac, lvl, colon2 + 2];
}

/** Skips `** 12 printk messages dropped ** `. */
function droppedMarkerEnd(s: string, pos: number): number {
  if (!s.startsWith('** ', pos)) return pos;
  const end = s.indexOf(' dropped ** ', pos);
  if (end < 0 || end - pos > 40) return pos;
  return end + ' dropped ** '.length;
}

/** Console chatter glued before a kernel line: `syzkaller login: [  12.3] …`. */
function loginChatterEnd(s: string): number {
  const at = s.indexOf(' login: ');
  if (at < 0) return 0;
  const after = at + ' login: '.length;
  const c = s.charCodeAt(after);
  return c === 91 || c === 60 ? after : 0;
}

/**
 * A log pasted indented (a blog's code block): the stamp after the indentation → its index, else 0.
 * Only before a stamp, since continuation lines of the log itself are indented too.
 */
function indentedStampStart(s: string): number {
  let i = 0;
  while (i < 16 && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i > 0 && stampAt(s, i) >= 0 ? i : 0;
}

/**
 * Mail quoting (`> `, `>> `, `> > `) in front of a line. The only kernel lines that start with `>`
 * are KASAN's marked shadow row (`>ffff888…: fb fb`), whose marker nothing reads.
 */
function mailQuoteEnd(s: string): number {
  let i = 0;
  while (i < 16 && s.charCodeAt(i) === 62 /* > */) {
    i++;
    if (s.charCodeAt(i) === 32) i++;
  }
  return i;
}

/** `host kernel: ` right after a monotonic stamp → index after it (else `pos`). */
function monotonicJournalTagEnd(s: string, pos: number): number {
  const space = s.indexOf(' ', pos);
  if (space <= pos || space - pos > 64 || !s.startsWith(' kernel: ', space)) return pos;
  for (let i = pos; i < space; i++) {
    const c = s.charCodeAt(i);
    // Host names: letters, digits, dots, dashes.
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46))
      return pos;
  }
  return space + ' kernel: '.length;
}

/** One shared CallerId per caller: a log has few, and each line needs one. */
const callers = new Map<number, CallerId>();
function internCaller(c: CallerId): CallerId {
  const key = c.id * 2 + (c.kind === 'task' ? 0 : 1);
  let known = callers.get(key);
  if (!known) {
    if (callers.size > 65536) callers.clear();
    known = c;
    callers.set(key, c);
  }
  return known;
}

export function parseLinePrefix(raw: string): LinePrefix {
  return parseLine(raw, undefined);
}

/**
 * The record of one line. Every record gets the same property layout (absent facts are
 * `undefined`), which keeps allocation cheap on logs of millions of lines.
 */
export function parseLine(raw: string, line: number | undefined): LinePrefix & { line: number | undefined } {
  let s = raw;
  if (s.length > 0 && s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1);
  let time: number | undefined;
  let wallTime: string | undefined;
  let level: number | undefined;
  let facility: number | undefined;
  let caller: CallerId | undefined;
  let source: string | undefined;
  let pos = mailQuoteEnd(s);
  const first = s.charCodeAt(pos);
  if (first === 13) pos++;
  if (first !== 91 && first !== 60) {
    pos = droppedMarkerEnd(s, pos);
    // Syslog/journal wrapper.
    const classic = syslogStampAt(s, pos);
    const iso = classic ? undefined : isoStampAt(s, pos);
    if (iso?.[0].includes(',')) {
      // dmesg --time-format iso (comma before the microseconds): the stamp alone.
      wallTime = iso[0];
      pos = iso[1] + 1;
    } else if (classic || iso) {
      const sys = (classic ?? iso)!;
      const tag = syslogTagAfter(s, sys[1]);
      if (tag) {
        wallTime = sys[0];
        pos = tag[1];
        if (tag[0].toLowerCase() !== 'kernel') source = tag[0];
      } else if (iso) {
        wallTime = sys[0];
        pos = sys[1] + 1;
      }
    } else {
      const dec = decodedLevelAt(s, pos);
      if (dec) {
        facility = dec[0];
        level = dec[1];
        pos = dec[2];
      } else if (pos === 0) {
        pos = indentedStampStart(s) || loginChatterEnd(s);
      }
    }
    pos = droppedMarkerEnd(s, pos);
  }
  const lvl = levelAt(s, pos);
  if (lvl) {
    level = lvl[0] & 7;
    if (lvl[0] > 7) facility = lvl[0] >> 3;
    pos = lvl[1];
  }
  const stamp = stampAt(s, pos);
  const wall = stamp >= 0 ? undefined : wallStampAt(s, pos);
  if (stamp >= 0 || wall) {
    if (stamp >= 0) {
      time = stamp;
      pos = scanEnd;
    } else if (wall) {
      wallTime = wall[0];
      pos = wall[1];
    }
    let c = callerAt(s, pos);
    if (!c && s.charCodeAt(pos) === 32) c = callerAt(s, pos + 1);
    if (c) {
      caller = internCaller(c);
      pos = scanEnd;
    }
    if (s.charCodeAt(pos) === 32) pos++;
    // journalctl -o short-monotonic: `[  12.345678] host kernel: message`.
    if (wallTime === undefined) pos = monotonicJournalTagEnd(s, pos);
    // crash `log -m` prints the level after the stamp.
    const lvl2 = levelAt(s, pos);
    if (lvl2 && level === undefined) {
      level = lvl2[0] & 7;
      pos = lvl2[1];
    }
  }
  return { text: pos === 0 ? s : s.slice(pos), line, time, wallTime, level, facility, caller, source };
}

/**
 * The shapes a console log arrives in, as transformations of a raw `dmesg`-style log: what a
 * syslog daemon, journalctl, `dmesg -T`, a serial capture or a Windows editor does to it. Shared by
 * `eval/shapes.ts` and the test that keeps its floor.
 */

export interface LogShape {
  name: string;
  apply(log: string): string;
}

/** `[  123.456789]` at the start of a line. */
const STAMP = /^\[\s*(\d+)\.(\d+)\]/;
/** The stamp and a printk caller id after it (`[ T1234]`, `[    C0]`): what journald and syslog drop. */
const STAMP_AND_CALLER = /^\[\s*\d+\.\d+\](?:\[\s*[TC]\d+\])?\s?/;
const bare = (l: string) => l.replace(STAMP_AND_CALLER, '');

const mapLines = (log: string, f: (line: string, i: number) => string): string =>
  log
    .split('\n')
    .map((line, i) => (line === '' ? line : f(line, i)))
    .join('\n');

/** A wall clock that advances with the monotonic stamp, as rsyslog and dmesg -T print it. */
function wallClock(line: string, format: (d: Date) => string): string {
  const m = STAMP.exec(line);
  const seconds = m ? Number(m[1]) : 0;
  return format(new Date(Date.UTC(2026, 2, 3, 12, 0, 0) + seconds * 1000));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (n: number) => String(n).padStart(2, '0');
const time = (d: Date) => `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
const syslogDate = (d: Date) =>
  `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${time(d)}`;

export const SHAPES: LogShape[] = [
  { name: 'as in the corpus', apply: (log) => log },
  { name: 'CRLF line ends', apply: (log) => log.replace(/\n/g, '\r\n') },
  {
    name: 'syslog prefix, stamp kept',
    apply: (log) => mapLines(log, (l) => `${wallClock(l, syslogDate)} host-1 kernel: ${l}`),
  },
  {
    name: 'syslog prefix, no stamp',
    apply: (log) => mapLines(log, (l) => `${wallClock(l, syslogDate)} host-1 kernel: ${bare(l)}`),
  },
  {
    name: 'journalctl -k -o short-iso',
    apply: (log) =>
      mapLines(
        log,
        (l) =>
          `${wallClock(l, (d) => d.toISOString().replace(/\.\d+Z$/, '+0000'))} host-1 kernel: ${bare(l)}`,
      ),
  },
  {
    name: 'dmesg -T',
    apply: (log) =>
      mapLines(log, (l) =>
        STAMP.test(l)
          ? l.replace(
              STAMP,
              wallClock(l, (d) => `[${DAYS[d.getUTCDay()]} ${syslogDate(d)} ${d.getUTCFullYear()}]`),
            )
          : l,
      ),
  },
  { name: 'printk level <4>', apply: (log) => mapLines(log, (l) => `<4>${l}`) },
  { name: 'no stamps (printk.time=0)', apply: (log) => mapLines(log, bare) },
  { name: 'indented (a blog code block)', apply: (log) => mapLines(log, (l) => `    ${l}`) },
  { name: 'quoted in mail (> )', apply: (log) => mapLines(log, (l) => `> ${l}`) },
];

/** Dates as crash prints them: `Fri Nov 27 05:51:13 UTC 2026` (strftime `%a %b %e %T %Z %Y`). */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** In `timeZone` (IANA name) or the process's local zone, like crash's localtime(). */
export function formatCrashDate(epochSec: number, timeZone?: string): string {
  const date = new Date(epochSec * 1000);
  if (timeZone === undefined && epochSec >= 0 && localZoneIsUtc(date)) return formatUtc(date);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(date);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const day = DAYS.indexOf(get('weekday'));
  const month = Number(get('month')) - 1;
  const zone = get('timeZoneName').replace(/^GMT$/, 'UTC');
  const dd = get('day').padStart(2, ' ');
  return `${DAYS[day] ?? get('weekday')} ${MONTHS[month]} ${dd} ${get('hour')}:${get('minute')}:${get('second')} ${zone} ${get('year')}`;
}

/**
 * The first Intl.DateTimeFormat loads ICU's locale data: ~16 ms, a tenth of a whole `ktriage log`.
 * Servers mostly run in UTC, where Date's own fields give the same text: the zone is UTC when the
 * offset is 0 and Date (whose zone name needs no locale data) calls it Coordinated Universal or
 * Greenwich Mean Time, which Intl abbreviates UTC and GMT (printed UTC below). Not before 1970,
 * where ICU calls some of those zones GMT+0.
 */
function localZoneIsUtc(date: Date): boolean {
  return (
    date.getTimezoneOffset() === 0 &&
    /\((?:Coordinated Universal Time|Greenwich Mean Time|UTC|GMT)\)$/.test(date.toString())
  );
}

function formatUtc(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${day} ${time} UTC ${date.getUTCFullYear()}`;
}

/** crash's UPTIME: `HH:MM:SS`, with `N days, ` in front past a day. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return days > 0 ? `${days} day${days === 1 ? '' : 's'}, ${hms}` : hms;
}

/** `--tz`: checked when parsed, so a typo is a usage error and not a failure deep in date formatting. */

import { KtriageError } from '../errors.js';

export function parseTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new KtriageError(
      'usage',
      `--tz ${zone}: unknown time zone (give an IANA name such as UTC or Europe/Berlin)`,
    );
  }
  return zone;
}

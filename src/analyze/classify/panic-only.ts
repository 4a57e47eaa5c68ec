/** Classification when there is no report in a log: from the panic string and the panic task's stack. */

import type { Crash } from '../../model/index.js';
import type { Classification } from '../results.js';
import { kindOfPanicMessage } from './kinds.js';

export function classifyFromPanic(crash: Crash): Classification {
  const panic = crash.system.panic;
  if (!panic) return { kind: 'none', title: 'no crash found', altTitles: [], corrupted: false };
  return { kind: kindOfPanicMessage(panic), title: panic, altTitles: [], corrupted: false };
}

/**
 * Errors that reach the user. Each has a distinct exit code so scripts can tell them apart, and a
 * one-line message that names what was expected and where (file offset, line) — never a stack trace.
 */

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  notAFile: 4,
  empty: 5,
  unrecognised: 6,
  corrupt: 7,
  unsupported: 8,
  missingData: 9,
  io: 10,
} as const;

export type ErrorKind = keyof typeof EXIT;

export class KtriageError extends Error {
  constructor(
    readonly kind: Exclude<ErrorKind, 'ok'>,
    message: string,
    readonly details: { path?: string; offset?: number; line?: number } = {},
  ) {
    super(message);
    this.name = 'KtriageError';
  }

  get exitCode(): number {
    return EXIT[this.kind];
  }
}

/** A dump that does not say what it promised: names the structure, the offset and what was expected. */
export function corrupt(what: string, offset: number | bigint | undefined, expected: string): KtriageError {
  const at = offset === undefined ? '' : ` at offset 0x${offset.toString(16)}`;
  return new KtriageError('corrupt', `${what}${at}: ${expected}`, {
    offset: offset === undefined ? undefined : Number(offset),
  });
}

/** Turns anything thrown into one line on stderr and a distinct exit code. */

import { CommanderError } from 'commander';
import { EXIT, KtriageError } from '../errors.js';

/** File-system errors of the user's paths (an output file in a missing folder, a full disk). */
const IO_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
};

function ioError(error: unknown): { what: string; path?: string } | undefined {
  const e = error as NodeJS.ErrnoException;
  const what = e?.code ? IO_ERRORS[e.code] : undefined;
  if (!what) return undefined;
  return e.path !== undefined ? { what, path: e.path } : { what };
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof KtriageError) return error.exitCode;
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (ioError(error)) return EXIT.io;
  return EXIT.internal;
}

export function describeError(error: unknown): string {
  if (error instanceof KtriageError) return error.message;
  if (error instanceof Error) {
    const io = ioError(error);
    if (io) return io.path !== undefined ? `${io.path}: ${io.what}` : io.what;
    return `internal error: ${error.message} (set KTRIAGE_DEBUG=1 for details)`;
  }
  return `internal error: ${String(error)}`;
}

/** Reports the error and sets the exit code; prints the stack only when KTRIAGE_DEBUG is set. */
export function fail(error: unknown): void {
  if (error instanceof CommanderError) {
    process.exitCode = exitCodeFor(error);
    return; // commander already printed its message
  }
  process.stderr.write(`ktriage: ${describeError(error)}\n`);
  if (process.env.KTRIAGE_DEBUG && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`);
  process.exitCode = exitCodeFor(error);
}

/** Reading ends early when the output is piped into `head`: that is not an error. */
export function ignoreBrokenPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

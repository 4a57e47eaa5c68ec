/**
 * Building blocks of the report table: how a function, a PC and a source location look in a
 * console line. Kept in one place so every row speaks the same dialect.
 */

/** `foo+0x1a/0x40`, `foo.isra.3+…`: captures the bare name (up to the first `.` or `+`). */
export const FUNC = '([a-zA-Z0-9_]+)(?:\\.|\\+)';
/** `[<ffffffff81234567>]`, `[ffffffff81234567]`, `[<0x…>]`. */
export const PC = '\\[<?(?:0x)?[0-9a-f]+>?\\]';
/** `fs/namei.c:123`. */
export const SRC = '([a-zA-Z0-9\\-_/.]+\\.[a-z]+:[0-9]+)';

/** Compiles a pattern written with the `{{FUNC}}`, `{{PC}}`, `{{SRC}}` shorthands. */
export function pattern(source: string, flags = ''): RegExp {
  return new RegExp(
    source.replaceAll('{{FUNC}}', FUNC).replaceAll('{{PC}}', PC).replaceAll('{{SRC}}', SRC),
    flags,
  );
}

/**
 * The line that names where the CPU was: x86 `RIP: 0010:f+0x…` / old `IP: [<…>] f+0x…`,
 * powerpc `NIP`, arm64 `pc : f+0x…`, arm `PC is at f+0x…`. User-space and unknown RIPs match
 * without a function, so they consume the slot without naming a frame.
 */
export const RIP_LINE = pattern(
  '(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\\[< *\\(null\\)>\\] +\\(null\\)|[0-9]+: +\\(null\\))',
);

/** Where a stack trace starts. */
export const CALL_TRACE = /Call [Tt]race:|Backtrace:/;

/** Lines that open a stack trace (and so end the previous one). */
export const STACK_STARTS: RegExp[] = [
  /Call [Tt]race/,
  /Allocated:/,
  /Allocated by task [0-9]+:/,
  /Freed:/,
  /Freed by task [0-9]+:/,
  // "backtrace:" of kmemleak, but not lockdep's "stack backtrace:".
  /[^k] backtrace(?: \(crc [0-9a-fA-F]*\))?:/,
  /Backtrace:/,
  /Uninit was stored to memory at/,
  // riscv prints its stack right after show_regs' last line, without a header.
  /status: [0-9a-f]{16} badaddr: [0-9a-f]{16} cause: [0-9a-f]{16}/,
];
/** The riscv start above does not require frames after it. */
export const RISCV_STACK_START = STACK_STARTS[STACK_STARTS.length - 1]!;

/** A frame line: optional PCs, then the function. arm: `[<pc>] (f) from [<pc>] (g+…)`. */
export const FRAME_LINES: RegExp[] = [
  pattern('^ *(?:{{PC}} ){0,2}{{FUNC}}'),
  pattern('^ *{{PC}} \\(([a-zA-Z0-9_.]+)\\) from {{PC}} \\({{FUNC}}'),
];

/** Fault-injection stacks interleave with reports; seeing one makes the report suspect. */
export const CORRUPTING_LINES: RegExp[] = [
  pattern('^( \\[<?(?:0x)?[0-9a-f]+>?\\])? should_fail(slab)?(\\.[a-z0-9.]+)?\\+0x'),
];

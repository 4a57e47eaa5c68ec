/**
 * Line numbers a blog's code block copied along with the session (`1 crash> bt`, ` 12  PID: …`,
 * `7. #0 [ffff…] machine_kexec at …`). `numberPrefixes(raws)` gives, per line, how many leading
 * characters are such a number (0 for none), so the parsers see the session as crash printed it.
 *
 * A prefix counts only inside a run of at least three lines numbered n, n+1, n+2… (blank lines may
 * sit between them) in which some line, once the number is off, reads as crash or shell output
 * (a prompt, a bt header or frame, a `sys` field). Columns that count up on their own — ps PIDs,
 * `files` descriptors — do not start with those shapes, so their numbers stay.
 */

const NUMBERED = /^\s{0,8}(\d{1,6})(?:[.|)](?=\s|$))?(?:[ \t]+|$)/;
const SESSION_SHAPE =
  /^\s*(?:crash(?:64|32)?(?: ?\d[\d.]*)?>|PID:\s*\d+\s+TASK:|#\d{1,4}\s+\[|\[exception RIP:|(?:KERNEL|DUMPFILE|PANIC|RELEASE):\s|\[[^\]]{1,80}@[^\]]{1,80}\][#$])/;
const MIN_RUN = 3;

export function numberPrefixes(raws: readonly string[]): number[] {
  const cut = new Array<number>(raws.length).fill(0);
  let run: { lines: number[]; lengths: number[]; next: number; shaped: boolean } | undefined;
  const close = () => {
    if (run && run.lines.length >= MIN_RUN && run.shaped)
      for (let k = 0; k < run.lines.length; k++) cut[run.lines[k]!] = run.lengths[k]!;
    run = undefined;
  };
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i]!;
    const m = NUMBERED.exec(raw);
    if (!m) {
      if (raw.trim() !== '') close();
      continue;
    }
    const n = Number(m[1]);
    if (!run || n !== run.next) {
      close();
      run = { lines: [], lengths: [], next: n, shaped: false };
    }
    run.lines.push(i);
    run.lengths.push(m[0].length);
    run.next = n + 1;
    if (!run.shaped && SESSION_SHAPE.test(raw.slice(m[0].length))) run.shaped = true;
  }
  close();
  return cut;
}

/** Terminal styling: ANSI only when asked (TTY and NO_COLOR unset, or --color). */

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  green(s: string): string;
}

const wrap =
  (open: number, close: number) =>
  (s: string): string =>
    `\x1b[${open}m${s}\x1b[${close}m`;

export const ansiStyle: Style = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
  green: wrap(32, 39),
};

const same = (s: string): string => s;
export const plainStyle: Style = { bold: same, dim: same, red: same, yellow: same, cyan: same, green: same };

export function chooseStyle(color: boolean | undefined, stream: { isTTY?: boolean }): Style {
  const wanted = color ?? (Boolean(stream.isTTY) && !process.env.NO_COLOR);
  return wanted ? ansiStyle : plainStyle;
}

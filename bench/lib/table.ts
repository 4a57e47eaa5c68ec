/**
 * The benches' tables: one row per tool, its medians and its ratios to ktriage's row. Each bench
 * picks its columns (the layouts users and docs quote stay as they were).
 */

import type { Measure } from './timed.js';

export interface Row {
  name: string;
  m: Measure;
  /** What the tool did (stacks printed, tasks listed…). */
  note?: string;
}

export interface Column {
  title: string;
  width: number;
  /** Left-aligned (padded after) instead of right-aligned. */
  left?: boolean;
  /** Printed before the cell (and the title). */
  gap?: string;
  cell: (row: Row, ktriage: Measure) => string;
}

/** How the tool compares with ktriage: × its wall and CPU time, and ktriage's share of its peak memory. */
export function ratios(ktriage: Measure, m: Measure): { wall: number; cpu: number; memFraction: number } {
  return {
    wall: m.seconds / ktriage.seconds,
    cpu: m.cpu / ktriage.cpu,
    memFraction: ktriage.rssMiB / m.rssMiB,
  };
}

export const columns = {
  name: (width: number): Column => ({ title: 'tool', width, left: true, cell: (r) => r.name }),
  wall: (width: number, digits: number): Column => ({
    title: 'wall s',
    width,
    cell: (r) => r.m.seconds.toFixed(digits),
  }),
  cpu: (width: number): Column => ({ title: 'cpu s', width, cell: (r) => r.m.cpu.toFixed(2) }),
  rss: (width: number, digits: number, title = 'peak MiB'): Column => ({
    title,
    width,
    cell: (r) => r.m.rssMiB.toFixed(digits),
  }),
  /** The tool's wall time in ktriage's. */
  wallRatio: (width: number): Column => ({
    title: 'time ×ktriage',
    width,
    cell: (r, k) => ratios(k, r.m).wall.toFixed(2),
  }),
  /** The tool's CPU time in ktriage's. */
  cpuRatio: (width: number): Column => ({
    title: 'cpu ×ktriage',
    width,
    cell: (r, k) => ratios(k, r.m).cpu.toFixed(2),
  }),
  /** The tool's peak memory in ktriage's. */
  memRatio: (width: number): Column => ({
    title: 'mem ×ktriage',
    width,
    cell: (r, k) => (1 / ratios(k, r.m).memFraction).toFixed(2),
  }),
  note: (title: string, options: { width?: number; left?: boolean; gap?: string } = {}): Column => ({
    title,
    width: options.width ?? 0,
    left: options.left ?? true,
    gap: options.gap ?? '',
    cell: (r) => r.note ?? '',
  }),
};

/** `tool`, `wall s` (to the millisecond), `cpu s`, `peak MiB`: how the log and ps tables begin. */
export function figureColumns(nameWidth: number): Column[] {
  return [columns.name(nameWidth), columns.wall(9, 3), columns.cpu(8), columns.rss(10, 1)];
}

/** Prints the header and one line per row; ratios are to `ktriage` (the first row unless given). */
export function printTable(rows: Row[], layout: Column[], ktriage: Measure = rows[0]!.m): void {
  const line = (cells: string[]) =>
    cells
      .map((text, i) => {
        const c = layout[i]!;
        return (c.gap ?? '') + (c.left ? text.padEnd(c.width) : text.padStart(c.width));
      })
      .join('');
  console.log(line(layout.map((c) => c.title)).trimEnd());
  for (const row of rows) console.log(line(layout.map((c) => c.cell(row, ktriage))).trimEnd());
}

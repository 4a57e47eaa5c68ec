/** Terminal rendering of the report document. */

import type { Block, Line, ReportDocument, Span } from './document.js';
import { lineText } from './document.js';
import { plainStyle, type Style } from './style.js';

function styled(s: Span, style: Style): string {
  switch (s.style) {
    case 'dim':
      return style.dim(s.text);
    case 'bold':
      return style.bold(s.text);
    case 'warn':
      return style.yellow(s.text);
    case 'crit':
      return style.red(s.text);
    case 'good':
      return style.green(s.text);
    case 'code':
      return style.cyan(s.text);
    default:
      return s.text;
  }
}

const renderLine = (line: Line, style: Style): string => line.map((s) => styled(s, style)).join('');

const ANSI = /\x1b\[[0-9;]*m/g;
const visibleLength = (text: string): number => text.replace(ANSI, '').length;

/**
 * Greedy word wrap of a styled line: `first` prefixes the first output line, `rest` the others.
 * Words keep their span's style; a word longer than the width stays whole.
 */
export function wrapLine(line: Line, width: number, first: string, rest: string, style: Style): string[] {
  const out: string[] = [];
  let current = first;
  let visible = visibleLength(first);
  let empty = true;
  for (const s of line) {
    for (const [i, word] of s.text.split(' ').entries()) {
      const space = i > 0 || (!empty && s.text.startsWith(' ')) ? 1 : 0;
      if (word === '') {
        if (i > 0 && !empty) {
          current += ' ';
          visible++;
        }
        continue;
      }
      if (!empty && visible + space + word.length > width) {
        out.push(current.trimEnd());
        current = rest;
        visible = visibleLength(rest);
        empty = true;
      }
      const gap = !empty && space && !current.endsWith(' ') ? ' ' : '';
      current += gap + styled({ ...s, text: word }, style);
      visible += gap.length + word.length;
      empty = false;
    }
  }
  out.push(current.trimEnd());
  return out;
}

function renderBlock(block: Block, style: Style, width: number): string[] {
  switch (block.type) {
    case 'para':
      return wrapLine(block.line, width, '  ', '  ', style);
    case 'list':
      return block.items.flatMap((item) => wrapLine(item, width, '  • ', '    ', style));
    case 'code':
      return block.lines.map((l) => `    ${renderLine(l, style)}`);
    case 'fields': {
      const keyWidth = Math.max(...block.rows.map(([k]) => k.length));
      const indent = ' '.repeat(keyWidth + 4);
      return block.rows.flatMap(([k, v]) =>
        wrapLine(v, width, `  ${style.dim(k.padEnd(keyWidth))}  `, indent, style),
      );
    }
    case 'table': {
      // The last column (usually the long one) is never padded, so long text just runs on.
      const widths = block.head.map((h, i) =>
        Math.max(h.length, ...block.rows.map((r) => lineText(r[i] ?? []).length)),
      );
      const last = block.head.length - 1;
      const pad = (text: string, rendered: string, i: number) =>
        i === last ? rendered : rendered + ' '.repeat(Math.max(0, widths[i]! - text.length));
      const head = block.head.map((h, i) => pad(h, style.dim(h), i)).join('  ');
      const rows = block.rows.map((r) =>
        r.map((cell, i) => pad(lineText(cell), renderLine(cell, style), i)).join('  '),
      );
      return [`  ${head}`, ...rows.map((r) => `  ${r}`)];
    }
  }
}

/** `width`: columns to wrap prose at (tables and code are never wrapped). */
export function renderText(doc: ReportDocument, style: Style = plainStyle, width = 100): string {
  const out: string[] = [];
  const mark =
    doc.severity === 'critical'
      ? style.red('■')
      : doc.severity === 'warning'
        ? style.yellow('■')
        : style.green('■');
  out.push(`${mark} ${style.bold(doc.headline)}`);
  // Wrapped only when too long: wrapping re-spaces words, and taint letters keep their columns.
  for (const line of doc.subtitle) {
    if (lineText(line).length + 2 <= width) out.push(`  ${renderLine(line, style)}`);
    else out.push(...wrapLine(line, width, '  ', '    ', style));
  }
  for (const section of doc.sections) {
    out.push('', style.bold(`── ${section.title} `.padEnd(Math.max(40, section.title.length + 4), '─')));
    for (const block of section.blocks) out.push(...renderBlock(block, style, width));
  }
  return `${out.join('\n')}\n`;
}

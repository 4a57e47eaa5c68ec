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

function renderBlock(block: Block, style: Style): string[] {
  switch (block.type) {
    case 'para':
      return [`  ${renderLine(block.line, style)}`];
    case 'list':
      return block.items.map((item) => `  • ${renderLine(item, style)}`);
    case 'code':
      return block.lines.map((l) => `    ${renderLine(l, style)}`);
    case 'fields': {
      const width = Math.max(...block.rows.map(([k]) => k.length));
      return block.rows.map(([k, v]) => `  ${style.dim(k.padEnd(width))}  ${renderLine(v, style)}`);
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

export function renderText(doc: ReportDocument, style: Style = plainStyle): string {
  const out: string[] = [];
  const mark =
    doc.severity === 'critical'
      ? style.red('■')
      : doc.severity === 'warning'
        ? style.yellow('■')
        : style.green('■');
  out.push(`${mark} ${style.bold(doc.headline)}`);
  for (const line of doc.subtitle) out.push(`  ${renderLine(line, style)}`);
  for (const section of doc.sections) {
    out.push('', style.bold(`── ${section.title} `.padEnd(Math.max(40, section.title.length + 4), '─')));
    for (const block of section.blocks) out.push(...renderBlock(block, style));
  }
  return `${out.join('\n')}\n`;
}

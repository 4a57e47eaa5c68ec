/** Markdown rendering of the report document (for tickets and chats). */

import type { Block, Line, ReportDocument } from './document.js';

// Intra-word underscores are literal in GitHub Markdown, so `put_compound_page` stays readable.
const escapeMd = (text: string): string => text.replace(/([\\`*[\]|<>])/g, '\\$1');

/** Emphasis markers hug the text: `**69 ×** ` renders, `**69 × **` does not. */
function wrapped(text: string, marker: string, inner: (t: string) => string): string {
  const m = /^(\s*)(.*?)(\s*)$/s.exec(text)!;
  return m[2] ? `${m[1]}${marker}${inner(m[2])}${marker}${m[3]}` : text;
}

function md(line: Line): string {
  return line
    .map((s) => {
      if (!s.text) return '';
      switch (s.style) {
        case 'code':
          return wrapped(s.text, '`', (t) => t.replace(/`/g, "'"));
        case 'bold':
        case 'crit':
          return wrapped(s.text, '**', escapeMd);
        case 'warn':
          return wrapped(s.text, '*', escapeMd);
        default:
          return escapeMd(s.text);
      }
    })
    .join('');
}

const raw = (line: Line): string => line.map((s) => s.text).join('');

function block(b: Block): string[] {
  switch (b.type) {
    case 'para':
      return [md(b.line), ''];
    case 'list':
      return [...b.items.map((i) => `- ${md(i)}`), ''];
    case 'code':
      return ['```', ...b.lines.map(raw), '```', ''];
    case 'fields':
      return [...b.rows.map(([k, v]) => (k ? `- **${escapeMd(k)}:** ${md(v)}` : `  ${md(v)}`)), ''];
    case 'table':
      return [
        `| ${b.head.map(escape).join(' | ')} |`,
        `| ${b.head.map(() => '---').join(' | ')} |`,
        ...b.rows.map((r) => `| ${r.map(md).join(' | ')} |`),
        '',
      ];
  }
}

export function renderMarkdown(doc: ReportDocument): string {
  const out = [`# ${escapeMd(doc.headline)}`, '', ...doc.subtitle.map((l) => `${md(l)}  `), ''];
  for (const s of doc.sections) out.push(`## ${escapeMd(s.title)}`, '', ...s.blocks.flatMap(block));
  return out.join('\n');
}

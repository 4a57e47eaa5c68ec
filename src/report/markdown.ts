/** Markdown rendering of the report document (for tickets and chats). */

import type { Block, Line, ReportDocument } from './document.js';

const escapeMd = (text: string): string => text.replace(/([\\`*_[\]|<>])/g, '\\$1');

function md(line: Line): string {
  return line
    .map((s) => {
      if (!s.text) return '';
      switch (s.style) {
        case 'code':
          return `\`${s.text.replace(/`/g, "'")}\``;
        case 'bold':
        case 'crit':
          return `**${escapeMd(s.text)}**`;
        case 'warn':
          return `*${escapeMd(s.text)}*`;
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

/** A single self-contained HTML file (no scripts, no external assets), safe to attach to a ticket. */

import type { Block, Line, ReportDocument } from './document.js';

const esc = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function html(line: Line): string {
  return line
    .map((s) =>
      s.style && s.style !== 'plain' ? `<span class="${s.style}">${esc(s.text)}</span>` : esc(s.text),
    )
    .join('');
}

function block(b: Block): string {
  switch (b.type) {
    case 'para':
      return `<p>${html(b.line)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${html(i)}</li>`).join('')}</ul>`;
    case 'code':
      return `<pre>${b.lines.map(html).join('\n')}</pre>`;
    case 'fields':
      return `<dl>${b.rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${html(v)}</dd>`).join('')}</dl>`;
    case 'table':
      return `<table><thead><tr>${b.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
        .map((r) => `<tr>${r.map((c) => `<td>${html(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
  }
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1d1d1f}
h1{font-size:1.5em;margin-bottom:.2em}h1.critical{color:#b00020}h1.warning{color:#8a6100}
h2{font-size:1.1em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
pre{background:#f6f8fa;padding:.8em;overflow-x:auto;font-size:12.5px}code,.code{font-family:ui-monospace,monospace}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;font-size:13px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{color:#666}dd{margin:0}
.dim{color:#888}.bold{font-weight:600}.warn{color:#8a6100}.crit{color:#b00020;font-weight:600}.good{color:#1a7f37}`;

export function renderHtml(doc: ReportDocument): string {
  const body = [
    `<h1 class="${doc.severity}">${esc(doc.headline)}</h1>`,
    ...doc.subtitle.map((l) => `<div>${html(l)}</div>`),
    ...doc.sections.map(
      (s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>${s.blocks.map(block).join('\n')}</section>`,
    ),
  ].join('\n');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.headline)} — ktriage</title><style>${STYLE}</style></head><body>\n${body}\n<footer class="dim"><p>ktriage report</p></footer></body></html>\n`;
}

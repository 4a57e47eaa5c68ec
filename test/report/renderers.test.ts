import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { loadInput } from '../../src/load/load.js';
import { buildDocument } from '../../src/report/build.js';
import { renderHtml } from '../../src/report/html.js';
import { buildJsonReport } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { plainStyle } from '../../src/report/style.js';
import { renderText } from '../../src/report/text.js';
import { fixture } from '../helpers/shared.js';

const crash = await loadInput(fixture('seed', 'hardlockup-put_compound_page.zh.txt'));
const diagnosis = diagnose(crash);
const doc = buildDocument(crash, diagnosis);

describe('renderers tell the seed’s story in the same order', () => {
  const order = [
    'Verdict',
    'Evidence',
    'Lock and holder',
    'Stack groups',
    'Decoded flags',
    'Known issue',
    'Next steps in crash',
  ];

  it('text: sections in order, prose wrapped to the width, the headline first', () => {
    const text = renderText(doc, plainStyle, 100);
    expect(text.split('\n')[0]).toBe('■ BUG: hard lockup in put_compound_page');
    const at = order.map((title) => text.indexOf(`── ${title} `));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const verdict = text
      .slice(at[0]!, at[1]!)
      .split('\n')
      .filter((l) => l.startsWith('  ') && !l.startsWith('  Kind'));
    expect(verdict.every((l) => l.length <= 100)).toBe(true);
  });

  it('markdown: headings in order, emphasis markers hug their text, identifiers keep their underscores', () => {
    const md = renderMarkdown(doc);
    const at = order.map((title) => md.indexOf(`## ${title}`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const bold = [...md.matchAll(/\*\*([^*\n]+)\*\*/g)].map((m) => m[1]!);
    expect(bold.length).toBeGreaterThan(5);
    expect(bold.filter((b) => b !== b.trim())).toEqual([]);
    expect(md).toContain('put_compound_page');
  });

  it('html: one self-contained page, text escaped', () => {
    const html = renderHtml(doc);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="/);
    expect(html).toContain('&lt;put_compound_page+330&gt;');
  });

  it('json: the contract’s fields, addresses as hex strings', () => {
    const json = buildJsonReport(crash, diagnosis) as Record<string, unknown>;
    for (const key of [
      'schema',
      'input',
      'system',
      'kind',
      'title',
      'panic',
      'culprit',
      'reports',
      'findings',
      'stackGroups',
      'locks',
      'knownIssues',
      'nextSteps',
    ]) {
      expect(json).toHaveProperty(key);
    }
    expect(json.schema).toBe('ktriage/report@1');
    const locks = json.locks as { address: string }[];
    expect(locks.map((l) => l.address)).toContain('0xffffea0123300000');
    expect(() => JSON.stringify(json)).not.toThrow();
  });
});

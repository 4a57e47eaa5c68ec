/**
 * A report as a small document (sections of paragraphs, lists, tables, code), built once from the
 * crash and its diagnosis, then rendered as terminal text, Markdown or HTML. Keeping one builder
 * means the three formats always tell the same story in the same order.
 */

export type SpanStyle = 'plain' | 'dim' | 'bold' | 'warn' | 'crit' | 'good' | 'code';

export interface Span {
  text: string;
  style?: SpanStyle;
}

export type Line = Span[];

export type Block =
  | { type: 'para'; line: Line }
  | { type: 'list'; items: Line[] }
  | { type: 'table'; head: string[]; rows: Line[][] }
  | { type: 'code'; lines: Line[] }
  | { type: 'fields'; rows: [string, Line][] };

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
}

export interface ReportDocument {
  /** The one-line verdict. */
  headline: string;
  severity: 'info' | 'warning' | 'critical';
  /** Under the headline: the panic string, release, CPUs… */
  subtitle: Line[];
  sections: Section[];
}

export const span = (text: string, style: SpanStyle = 'plain'): Span => ({ text, style });
export const plain = (text: string): Line => [span(text)];
export const lineText = (line: Line): string => line.map((s) => s.text).join('');

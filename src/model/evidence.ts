/**
 * Evidence: where in the input a fact came from, so that every sentence of a report can point at
 * the bytes behind it. Sources attach evidence to what they put in the model; analyzers copy it
 * into their findings.
 */

export type EvidenceSource = 'log' | 'transcript' | 'dump' | 'derived';

export interface Evidence {
  source: EvidenceSource;
  /** 1-based line in the input text (log or transcript). */
  line?: number;
  /** Last line of a multi-line excerpt, inclusive. */
  endLine?: number;
  /** crash command whose output holds the fact (`bt -a`, `kmem ffffea…`). */
  command?: string;
  cpu?: number;
  pid?: number;
  /** Index into `Stack.frames`. */
  frame?: number;
  register?: string;
  /** Kernel virtual (or physical, where said) address the fact is about. */
  address?: bigint;
  /** Byte offset in a dump file. */
  fileOffset?: number;
  /** Short excerpt of the text or a rendering of the bytes. */
  text?: string;
  /** Free-form note when the evidence is a computation rather than a place. */
  note?: string;
}

/**
 * A cut copy of a dump (disk full while saving, an interrupted scp) keeps the pages it has and
 * says it is truncated, once, in the dump notes and at the top of the report — it used to stop at
 * the first page past the end (kdump, exit 7) or say nothing (ELF).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { KtriageError } from '../../src/errors.js';
import { BufferSource } from '../../src/io/buffer-source.js';
import { readKernelLog } from '../../src/kernel/printk/index.js';
import { loadDump } from '../../src/load/dump.js';
import { openKernelDump } from '../../src/load/dump-open.js';
import { buildDocument } from '../../src/report/build.js';
import { lineText } from '../../src/report/document.js';
import { runCli } from '../helpers/cli.js';
import { labPath } from '../helpers/lab.js';
import { fixture, repoRoot } from '../helpers/shared.js';
import { writeElf } from '../tools/dump-writer.js';
import { shrinkDump } from '../tools/shrink-dump.js';

const EXAMPLE = join(repoRoot, 'examples', 'pagelock-smp8.vmcore');
const kdump = new Uint8Array(readFileSync(EXAMPLE));
const elf = writeElf(shrinkDump(fixture('dump', 'mutex-hung-mini.vmcore')));

const open = (bytes: Uint8Array) => openKernelDump(new BufferSource(bytes, 'cut.vmcore'));
const truncationNotes = (bytes: Uint8Array) =>
  (open(bytes).dump.info.notes ?? []).filter((n) => n.includes('truncated'));

describe.each([
  ['kdump-compressed', kdump],
  ['ELF', elf],
])('a %s dump cut short', (_name, bytes) => {
  it('a whole file has no truncation note', () => {
    expect(truncationNotes(bytes)).toEqual([]);
    expect(open(bytes).dump.info.incomplete).toBe(false);
  });

  it.each([0.5, 0.9, 0.999])(
    'cut at %s of its size: one note naming both sizes, pages past the end lost',
    (part) => {
      const cut = bytes.subarray(0, Math.floor(bytes.length * part));
      const notes = truncationNotes(cut);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain(`it is ${cut.length} bytes`);
      expect(open(cut).dump.info.incomplete).toBe(true);
      try {
        const kd = open(cut);
        readKernelLog(kd.kernel, kd.vmcoreinfo);
      } catch (error) {
        // What is past the end is reported as missing memory, not as a corrupt dump.
        expect(error).toBeInstanceOf(KtriageError);
        expect((error as KtriageError).kind).not.toBe('corrupt');
      }
    },
  );
});

describe('the report of a cut dump', () => {
  it('says so under the headline, where every "not in the dump" below is explained', () => {
    const cut = kdump.subarray(0, Math.floor(kdump.length * 0.9));
    const crash = loadDump(new BufferSource(cut, 'cut.vmcore'), { kernel: true });
    const subtitle = buildDocument(crash, diagnose(crash)).subtitle.map(lineText);
    expect(subtitle.at(-1)).toMatch(/^incomplete dump: the file is truncated: it is \d+ bytes/);
  });
});

describe('a flattened dump cut short (an interrupted copy of a makedumpfile -F stream)', () => {
  const flat = labPath('corpus', 'mutex-hung', 'vmcore.flat');
  it.skipIf(!flat)('keeps its whole records and says the file is truncated', () => {
    const cut = readFileSync(flat!).subarray(0, 9_000_000);
    const crash = loadDump(new BufferSource(cut, 'cut.flat'));
    expect(crash.dump?.incomplete).toBe(true);
    expect(crash.dump?.notes?.join('\n')).toMatch(/the file is truncated: its flattened records stop whole/);
  });
});

describe('ktriage log on a dump whose log pages were lost', () => {
  const kdump = labPath('damaged', 'softlockup.kdump-zlib-incomplete');
  it.skipIf(!kdump)('fails with exit 9 and one line, not an empty success', () => {
    const result = runCli(['log', kdump!]);
    expect(result.status).toBe(9);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^ktriage: log: .*lost \(incomplete dump\)/);
  });
});

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KtriageError } from '../../../src/errors.js';
import { Btf } from '../../../src/kernel/btf/btf.js';
import { Types } from '../../../src/kernel/btf/layout.js';
import { fixture } from '../../helpers/shared.js';
import { encodeBtf, subsetBtf } from './encode.js';

const blobs = ['lab-6.1.0-56-excerpt.btf.gz', 'host-6.18-excerpt.btf.gz'].map((f) =>
  gunzipSync(readFileSync(fixture('kernel', 'btf', f))),
);

/** Everything a consumer does with a blob: parse, materialise each type, ask layout questions. */
function useFully(bytes: Uint8Array): void {
  const btf = new Btf(bytes);
  const types = new Types(btf);
  for (let id = 1; id < btf.typeCount; id++) {
    const t = btf.type(id);
    types.spell(id);
    if (t.kind === 'struct' || t.kind === 'union') {
      types.sizeof(id);
      for (const m of t.members.slice(0, 8)) if (m.name) types.member(id, m.name);
    }
  }
  types.member('task_struct', 'thread.sp');
  types.enumValue('PIDTYPE_TGID');
}

function onlyTypedErrors(run: () => void): void {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(KtriageError);
  }
}

describe('BTF parser on mutated real blobs', () => {
  it('parses the unmutated excerpts', () => {
    for (const b of blobs) useFully(b);
  });

  it('turns overwritten bytes into a KtriageError or a usable result, never another exception', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 24 }),
        (which, edits) => {
          const bytes = Uint8Array.from(blobs[which]!);
          // Half the edits land in the header and first records, where damage is most varied.
          for (const [pos, value] of edits) bytes[pos % 2 === 0 ? pos % 4096 : pos % bytes.length] = value;
          onlyTypedErrors(() => useFully(bytes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('turns truncation and header field changes into a KtriageError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1),
        fc.nat(),
        fc.integer({ min: 4, max: 20 }),
        fc.nat(),
        (which, cut, field, value) => {
          const src = blobs[which]!;
          const bytes = Uint8Array.from(src.subarray(0, Math.max(0, src.length - (cut % src.length))));
          if (bytes.length >= 24) new DataView(bytes.buffer).setUint32(field - (field % 4), value, true);
          onlyTypedErrors(() => useFully(bytes));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('BTF encode/parse round trip on subsets of the real lab excerpt', () => {
  const btf = new Btf(blobs[0]!);
  const composites = Array.from({ length: btf.typeCount - 1 }, (_, i) => i + 1).filter((id) => {
    const k = btf.type(id).kind;
    return (k === 'struct' || k === 'union') && btf.nameOf(id) !== '';
  });

  it('keeps every named struct size and member offset of the roots', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...composites), { minLength: 1, maxLength: 4 }), (roots) => {
        const again = new Btf(encodeBtf(subsetBtf(btf, roots)));
        const before = new Types(btf);
        const after = new Types(again);
        for (const id of roots) {
          const name = btf.nameOf(id);
          expect(after.sizeof(after.composite(name)!)).toBe(before.sizeof(id));
          const t = btf.type(id);
          if (t.kind !== 'struct' && t.kind !== 'union') continue;
          for (const m of t.members) {
            if (!m.name) continue;
            expect(after.member(name, m.name)).toMatchObject({
              offset: before.member(id, m.name)!.offset,
              bitSize: before.member(id, m.name)!.bitSize,
            });
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

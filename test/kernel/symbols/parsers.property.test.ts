import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KtriageError } from '../../../src/errors.js';
import type { ByteSource } from '../../../src/io/byte-source.js';
import { FileSource } from '../../../src/io/file-source.js';
import { ElfFile } from '../../../src/kernel/symbols/elf.js';
import { parseSystemMap } from '../../../src/kernel/symbols/system-map.js';
import { systemMap } from './excerpt.js';

const LAB_VMLINUX = '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64';

function onlyTypedErrors(run: () => void): void {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(KtriageError);
  }
}

/** A file with some bytes overwritten (and maybe cut short), read through the real one. */
function mutated(base: ByteSource, edits: [number, number][], size: number): ByteSource {
  return {
    name: 'mutated',
    size,
    read(offset: number, length: number) {
      if (offset < 0 || length < 0 || offset + length > size) {
        throw new KtriageError('corrupt', `read past the end at ${offset}`);
      }
      const out = Uint8Array.from(base.read(offset, length));
      for (const [at, v] of edits) if (at >= offset && at < offset + length) out[at - offset] = v;
      return out;
    },
  };
}

describe.skipIf(!existsSync(LAB_VMLINUX))('ELF section reader on a mutated real vmlinux', () => {
  const file = new FileSource(LAB_VMLINUX);
  const shoff = Number(new DataView(file.read(0x28, 8).buffer).getBigUint64(0, true));
  const shSize = 64 * 82;

  it('turns damaged headers and section tables into a KtriageError or a usable file', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (raw, cut) => {
          // Edits land in the ELF header or the section header table.
          const edits = raw.map(([p, v]): [number, number] => [p % 2 ? p % 64 : shoff + (p % shSize), v]);
          const size = cut ? shoff + shSize / 2 : file.size;
          onlyTypedErrors(() => {
            const elf = new ElfFile(mutated(file, edits, size));
            const btf = elf.section('.BTF');
            if (btf && btf.size < 1 << 24) elf.bytes(btf);
            elf.memory().read(0xffffffff81000000n, 64);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('System.map parser', () => {
  const lines = systemMap()
    .slice(0, 2000)
    .map((e) => `${e.address.toString(16).padStart(16, '0')} ${e.type} ${e.name}`);

  it('parses real lines and refuses damaged ones with their line number', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1999), fc.string({ maxLength: 20 }))), (edits) => {
        const text = [...lines];
        for (const [at, s] of edits) text[at] = s;
        try {
          const entries = parseSystemMap(text.join('\n'));
          expect(entries.length).toBeLessThanOrEqual(lines.length);
        } catch (e) {
          expect(e).toBeInstanceOf(KtriageError);
          expect((e as KtriageError).message).toMatch(/line \d+|no symbols/);
        }
      }),
      { numRuns: 200 },
    );
  });
});

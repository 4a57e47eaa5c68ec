import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KernelContext } from '../../../src/kernel/kernel-context.js';
import { symbolsFromFile } from '../../../src/kernel/symbols/load.js';
import { parseSystemMap, relocate } from '../../../src/kernel/symbols/system-map.js';
import { openKernelDump } from '../../../src/load/dump-open.js';
import { openSymbolsFile } from '../../../src/load/symbols-file.js';
import { fixture } from '../../helpers/shared.js';
import { labDumps } from '../helpers/lab.js';
import { systemMap } from './excerpt.js';

const dumps = labDumps();
const LAB_VMLINUX = '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64';

/** `#3 [fffffe000000def0] end_repeat_nmi at ffffffff878017c0 [module]` lines of crash's bt output. */
function crashFrames(text: string): { fn: string; address: bigint; module?: string }[] {
  const out = [];
  for (const m of text.matchAll(/^\s*#\d+ \[[0-9a-f]+\] (\S+) at ([0-9a-f]+)(?: \[(\S+)\])?/gm)) {
    out.push({ fn: m[1]!, address: BigInt(`0x${m[2]}`), module: m[3] });
  }
  return out;
}

describe.skipIf(dumps.length === 0)('kernel symbols from the lab dumps', () => {
  const opened: { close(): void }[] = [];
  afterAll(() => {
    for (const d of opened) d.close();
  });
  const linked = systemMap();

  for (const lab of dumps) {
    describe(lab.scenario, () => {
      const kd = openKernelDump(lab.vmcore);
      opened.push(kd);
      const ctx = new KernelContext(kd.kernel);

      it('decodes kallsyms into System.map moved by KERNELOFFSET, every symbol', () => {
        const moved = new Set(
          relocate(linked, kd.vmcoreinfo.kernelOffset ?? 0n).map((e) => `${e.address} ${e.name}`),
        );
        const core = ctx.coreSymbolsOnly.core;
        expect(core.count).toBeGreaterThan(90_000);
        for (const s of core) expect(moved.has(`${s.address} ${s.name}`), s.name).toBe(true);
      });

      it('gives the same addresses from --symbols System.map.gz or vmlinux as from kallsyms', () => {
        const kallsyms = ctx.coreSymbolsOnly.core;
        const sources = [fixture('lab', 'kernel', 'System.map-6.1.0-56-amd64.gz')];
        if (existsSync(LAB_VMLINUX)) sources.push(LAB_VMLINUX);
        for (const path of sources) {
          const fromFile = symbolsFromFile(openSymbolsFile(path), kd.vmcoreinfo).core;
          for (const name of [
            '_stext',
            'init_task',
            'runqueues',
            'current_task',
            '__per_cpu_offset',
            'schedule',
            'modules',
          ]) {
            expect(fromFile.address(name), `${name} in ${path}`).toBe(kallsyms.address(name));
          }
          const pairs = new Set<string>();
          for (const f of fromFile) pairs.add(`${f.name}@${f.address}`);
          let missing = 0;
          for (const k of kallsyms) if (!pairs.has(`${k.name}@${k.address}`)) missing++;
          expect(missing, path).toBe(0);
        }
      });

      it('refuses a System.map that does not fit the dump (wrong KASLR offset)', () => {
        const vi = { ...kd.vmcoreinfo, kernelOffset: (kd.vmcoreinfo.kernelOffset ?? 0n) + 0x200000n };
        const map = openSymbolsFile(fixture('lab', 'kernel', 'System.map-6.1.0-56-amd64.gz'));
        expect(() => symbolsFromFile(map, vi)).toThrow(/another kernel build/);
      });

      it("names every address of crash's bt -a the way crash does, modules included", () => {
        const frames = crashFrames(readFileSync(join(lab.dir, 'crash', 'bt-a.txt'), 'utf8'));
        expect(frames.length).toBeGreaterThan(10);
        for (const f of frames) {
          const hit = ctx.symbols.lookup(f.address);
          expect(hit?.symbol.name, `0x${f.address.toString(16)}`).toBe(f.fn);
          if (f.module) expect(hit?.symbol.module).toBe(f.module);
        }
      });

      it("gives [exception RIP: fn+off] for crash's exception frames", () => {
        const text = readFileSync(join(lab.dir, 'crash', 'bt-a.txt'), 'utf8');
        for (const m of text.matchAll(/\[exception RIP: (\S+)\+(\d+)\]\n\s+RIP: ([0-9a-f]+)/g)) {
          const hit = ctx.symbols.lookup(BigInt(`0x${m[3]}`));
          expect(`${hit?.symbol.name}+${hit?.offset}`).toBe(`${m[1]}+${m[2]}`);
        }
      });

      it.skipIf(!existsSync(join(lab.dir, 'crash', 'lock.txt')))(
        "finds the lab module's variables where crash's `sym` does",
        () => {
          const text = readFileSync(join(lab.dir, 'crash', 'lock.txt'), 'utf8');
          for (const m of text.matchAll(/^([0-9a-f]{16}) \((\w)\) (\S+) \[(\S+)\]$/gm)) {
            const s = ctx.symbols.byName(m[3]!);
            expect(s, m[0]).toMatchObject({ address: BigInt(`0x${m[1]}`), module: m[4] });
            // The module's own typetab says `d`/`b` for its statics; crash 8.0.2 upper-cases them.
            expect(s?.type?.toUpperCase()).toBe(m[2]);
          }
        },
      );

      it("lists the modules of crash's `mod` with their struct module, base and size", () => {
        const text = readFileSync(join(lab.dir, 'crash', 'mod.txt'), 'utf8');
        const rows = [...text.matchAll(/^([0-9a-f]{16})\s+(\S+)\s+([0-9a-f]{16})\s+(\d+)/gm)];
        expect(rows.length).toBeGreaterThan(0);
        const mods = ctx.symbols.loadedModules;
        expect(mods.length).toBe(rows.length);
        for (const r of rows) {
          const m = mods.find((x) => x.name === r[2]);
          expect(m?.address).toBe(BigInt(`0x${r[1]}`));
          expect(m?.regions[0]).toEqual({ base: BigInt(`0x${r[3]}`), size: Number(r[4]) });
        }
      });
    });
  }
});

describe('System.map', () => {
  it('parses the lab kernel map: every line, per-cpu offsets left alone by KASLR', () => {
    const map = systemMap();
    expect(map.length).toBe(94_280);
    const moved = relocate(map, 0x7c00000n);
    const at = (name: string) => moved.find((e) => e.name === name)?.address;
    expect(at('_stext')).toBe(0xffffffff81000000n + 0x7c00000n);
    expect(at('current_task')).toBe(0x1fb80n);
  });

  it('names the line that is not a symbol', () => {
    expect(() => parseSystemMap('ffffffff81000000 T _stext\nnot a symbol line\n')).toThrow(/line 2/);
  });
});

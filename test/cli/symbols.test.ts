import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBt } from '../../src/cli/commands/bt.js';
import { loadInput } from '../../src/load/load.js';
import { openSymbolsFile } from '../../src/load/symbols-file.js';
import { fixture, repoRoot } from '../helpers/shared.js';

const dump = join(repoRoot, 'examples', 'pagelock-smp8.vmcore');
/** The System.map of the example's kernel (Debian 6.1.0-56-amd64), as the distribution ships it. */
const map = fixture('lab', 'kernel', 'System.map-6.1.0-56-amd64.gz');

describe('--symbols for bt and analyze (README: kernels before 6.0 need it)', () => {
  it('bt -a with the System.map unwinds what the dump’s own kallsyms unwind', () => {
    const own = renderBt(dump, undefined, { all: true });
    expect(own).toMatch(/lab_put_compound_page/);
    expect(renderBt(dump, undefined, { all: true, symbols: map })).toBe(own);
  });

  it('analyze reads the tasks with the System.map', async () => {
    const crash = await loadInput(dump, { symbolsFile: openSymbolsFile(map) });
    expect(crash.tasks.find((t) => t.pid === 150)?.comm).toBe('lab_rw');
    expect(crash.gaps.filter((g) => g.what === 'tasks')).toEqual([]);
  });
});

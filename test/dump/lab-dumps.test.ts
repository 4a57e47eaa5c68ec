/**
 * The lab's real kdump-compressed dumps (Debian 6.1, in-guest kdump): the log we read must be the
 * log crash 8.0.2 printed for the same dump, line for line; registers and VMCOREINFO must agree
 * with what the lab recorded. Skips when ../shared is absent.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readKernelLog } from '../../src/kernel/printk/index.js';
import { openKernelDump } from '../../src/load/dump-open.js';
import { sharedPath } from '../helpers/shared.js';

const SCENARIOS = ['abba-spinlock-irqoff', 'mutex-hung', 'sysrq-c'];

function crashLog(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l.length > 0);
}

function renderLikeCrash(records: { tsNsec: bigint; text: string }[]): string[] {
  const lines: string[] = [];
  for (const r of records) {
    const [first, ...rest] = r.text.split('\n');
    lines.push(`[${(Number(r.tsNsec / 1000n) / 1e6).toFixed(6).padStart(12)}] ${first}`);
    lines.push(...rest);
  }
  return lines.map((l) => l.replace(/\s+/g, ' ').trim()).filter((l) => l.length > 0);
}

describe.each(SCENARIOS)('lab dump %s', (scenario) => {
  const vmcore = sharedPath('lab', 'corpus', scenario, 'vmcore');
  const reference = sharedPath('lab', 'corpus', scenario, 'crash', 'log.txt');
  it.skipIf(!vmcore || !reference)('reads the same log as crash', () => {
    const kd = openKernelDump(vmcore!);
    try {
      const log = readKernelLog(kd.kernel, kd.vmcoreinfo);
      expect(log.format).toBe('ringbuffer');
      expect(renderLikeCrash(log.records)).toEqual(crashLog(reference!));
    } finally {
      kd.close();
    }
  });

  it.skipIf(!vmcore)('has VMCOREINFO, four CPUs of registers and a kernel text mapping', () => {
    const kd = openKernelDump(vmcore!);
    try {
      expect(kd.dump.info.container).toBe('kdump');
      expect(kd.dump.info.compression).toEqual(['zlib']);
      expect(kd.dump.info.dumpLevel).toBe(31);
      expect(kd.vmcoreinfo.osRelease).toBe('6.1.0-56-amd64');
      expect(kd.kernel.cpus).toHaveLength(4);
      for (const cpu of kd.kernel.cpus) expect(cpu.registers.values.rip! >= 0xffffffff80000000n).toBe(true);
      // init_uts_ns.name.release read through the kernel text mapping.
      const uts = kd.vmcoreinfo.symbols.get('init_uts_ns')!;
      expect(kd.kernel.readCString(uts + 2n * 65n, 65)).toBe('6.1.0-56-amd64');
      // The direct map found from mem_section agrees with a page-table walk.
      const base = kd.kernel.directMapBase;
      expect(base).toBeDefined();
      const probe = base! + 0x1000000n;
      expect(kd.kernel.paging.walk(probe)).toBe(0x1000000n);
    } finally {
      kd.close();
    }
  });
});

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../../src/kernel/btf/btf.js';
import { Types } from '../../../src/kernel/btf/layout.js';
import { taskLayout } from '../../../src/kernel/sched/layout.js';
import { mmLayout } from '../../../src/kernel/sched/mm.js';
import { fixture } from '../../helpers/shared.js';

const types = (file: string) => new Types(new Btf(gunzipSync(readFileSync(fixture('kernel', 'btf', file)))));

/** drgn's DWARF answers for the lab kernel (see test/fixtures/README.md). */
function drgnOffset(struct: string, path: string): number {
  const line = readFileSync(fixture('kernel', 'btf', 'lab-6.1.0-56-offsets.drgn.txt'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`offsetof struct ${struct} ${path} `));
  return Number(line!.split(' ').at(-1));
}

describe('scheduler layouts detected from BTF', () => {
  it('v6.1 (lab): __state, thread_info.cpu, thread_group still there, atomic rss counters + split RSS', () => {
    const t = types('lab-6.1.0-56-excerpt.btf.gz');
    const l = taskLayout(t);
    expect(l.state).toEqual({ offset: drgnOffset('task_struct', '__state'), size: 4 });
    expect(l.threadInfoInTask).toBe(true);
    expect(l.cpu).toEqual({
      inThreadInfo: false,
      offset: drgnOffset('task_struct', 'thread_info.cpu'),
      size: 4,
    });
    expect([l.tasks, l.pid, l.threadSp, l.threadGroup, l.threadNode, l.threadHead]).toEqual([
      drgnOffset('task_struct', 'tasks'),
      drgnOffset('task_struct', 'pid'),
      drgnOffset('task_struct', 'thread.sp'),
      drgnOffset('task_struct', 'thread_group'),
      drgnOffset('task_struct', 'thread_node'),
      drgnOffset('signal_struct', 'thread_head'),
    ]);
    const mm = mmLayout(t);
    expect(mm.atomicCounts).toBe(drgnOffset('mm_struct', 'rss_stat'));
    expect(mm.percpu).toBeUndefined();
    expect(mm.taskCounts).toBeDefined();
    expect(mm.counters).toEqual({ file: 0, anon: 1, shmem: 3 });
  });

  it('v6.18 (host): no thread_group (v6.7), per-cpu rss counters and no split RSS (v6.2)', () => {
    const t = types('host-6.18-excerpt.btf.gz');
    const l = taskLayout(t);
    expect(l.state.size).toBe(4);
    expect(l.cpu.inThreadInfo).toBe(false);
    expect(l.cpu.size).toBe(4);
    expect(l.threadGroup).toBeUndefined();
    expect(l.threadHead).toBeDefined();
    expect(l.threadNode).toBeDefined();
    const mm = mmLayout(t);
    expect(mm.atomicCounts).toBeUndefined();
    expect(mm.percpu?.stride).toBe(t.sizeof('percpu_counter'));
    expect(mm.taskCounts).toBeUndefined();
  });
});

/**
 * OOM-killer reports: the facts the console source lifts out, and the verdict. Expected numbers
 * are read from the logs' own lines (the reference), not from our output.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { parseConsoleLog } from '../../src/text/console/index.js';
import { readOomFacts } from '../../src/text/console/oom-facts.js';
import { parseLogText } from '../../src/text/console/records.js';
import { fixture } from '../helpers/shared.js';
import { labLog } from './helpers.js';

const labText = readFileSync(fixture('lab', 'oom', 'vmcore-dmesg.txt'), 'utf8');
const number = (re: RegExp): number => Number(re.exec(labText)![1]);

describe('lab oom log (panic_on_oom, one memory hog)', () => {
  const { crash, d } = labLog('oom');
  const report = crash.reports.find((r) => r.oom)!;
  const hog = /\[\s*(\d+)\]\s+\d+\s+\d+\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+-?\d+ lab_memhog/.exec(labText)!;

  it('reads the request, the counters and the task table as the log prints them', () => {
    const f = report.oom!;
    expect(f.invoker).toEqual({ comm: 'lab_memhog', pid: number(/PID: (\d+) Comm: lab_memhog/) });
    expect(f.gfpMask).toBe(/gfp_mask=(\S+),/.exec(labText)![1]);
    expect(f.order).toBe(number(/invoked oom-killer: .*order=(\d+)/));
    expect(f.pages.free).toBe(number(/ free:(\d+) free_pcp/));
    expect(f.pages.shmem).toBe(number(/ shmem:(\d+) pagetables/));
    expect(f.pages.slab_unreclaimable).toBe(number(/slab_unreclaimable:(\d+)\n/));
    expect(f.ramPages).toBe(number(/(\d+) pages RAM/));
    expect(f.reservedPages).toBe(number(/(\d+) pages reserved/));
    expect(f.swapTotalKb).toBe(0);
    expect(f.taskCount).toBe((labText.match(/^\[[\d. ]+\] \[\s*\d+\]/gm) ?? []).length);
    expect(f.topTasks[0]).toMatchObject({ pid: Number(hog[1]), comm: 'lab_memhog', rss: Number(hog[3]) });
    expect(f.topTasks[0]!.totalVm).toBe(Number(hog[2]));
    expect(f.outcome).toMatch(/panic_on_oom/);
    expect(f.killed).toBeUndefined();
  });

  it('says the hog took the memory and that panic_on_oom turned the OOM into a panic', () => {
    expect(d.classification.kind).toBe('oom');
    expect(d.oom?.map((v) => v.cause)).toEqual(['task']);
    const usable = number(/(\d+) pages RAM/) - number(/(\d+) pages reserved/);
    const share = Math.round((100 * Number(hog[3])) / usable);
    expect(d.story).toContain(`The memory went to lab_memhog (pid ${hog[1]})`);
    expect(d.story).toContain(`${share}% of usable memory`);
    expect(d.story).toContain('no swap');
    expect(d.story).toContain('panic_on_oom');
    expect(d.findings.some((f) => f.id === 'oom/task')).toBe(true);
  });
});

describe('an OOM invocation cut short inside another crash (syzkaller corpus 334)', () => {
  const text = readFileSync(fixture('syzkaller', '334'), 'utf8');
  const crash = parseConsoleLog(text, { path: '334', format: 'console-log' });

  it('keeps the request (nodemask variant) and invents nothing it did not print', () => {
    const f = crash.reports.find((r) => r.oom)!.oom!;
    expect(f.invoker.comm).toBe('syz-executor642');
    expect(f.gfpMask).toBe('0x6202c2(GFP_HIGHUSER|__GFP_NOWARN)');
    expect(f.order).toBe(0);
    expect(f.topTasks).toEqual([]);
    expect(f.killed).toBeUndefined();
    const v = diagnose(crash).oom!;
    expect(v.map((x) => x.cause)).toEqual(['unknown']);
    expect(v[0]!.summary).toMatch(/^Out of memory: syz-executor642 asked for an order-0 allocation/);
  });
});

describe('shapes other kernels print (lines written from mm/oom_kill.c and mm/memcontrol.c formats)', () => {
  // Values are arbitrary; the shapes are the kernel's format strings of 3.10 (legacy memcg lines,
  // "Killed process" without the prefix) and 5.x (oom-kill: summary, shmem-rss).
  const legacyMemcg = [
    '[  10.000000] java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0',
    '[  10.000001] CPU: 9 PID: 1500 Comm: java Not tainted 3.10.0-327.el7.x86_64 #1',
    '[  10.000002] Task in /kubepods/pod1 killed as a result of limit of /kubepods/pod1',
    '[  10.000003] memory: usage 524288kB, limit 524288kB, failcnt 42',
    '[  10.000004] [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name',
    '[  10.000005] [ 1500]     0  1500  5063909   119961    1661   136409          -998 java',
    '[  10.000006] [ 1501]     0  1501     1000      100      10        0             0 sh -c',
    '[  10.000007] Memory cgroup out of memory: Kill process 1500 (java) score 0 or sacrifice child',
    '[  10.000008] Killed process 1500 (java) total-vm:20255636kB, anon-rss:466160kB, file-rss:13684kB',
  ].join('\n');

  it('a cgroup limit, its usage, the table with a spaced name, and the kill', () => {
    const records = parseLogText(legacyMemcg);
    const f = readOomFacts(records, 0)!;
    expect(f.invoker).toEqual({ comm: 'java', pid: 1500 });
    expect(f.memcg).toEqual({ path: '/kubepods/pod1', usageKb: 524288, limitKb: 524288 });
    expect(f.topTasks.map((t) => [t.pid, t.comm, t.rss, t.oomScoreAdj])).toEqual([
      [1500, 'java', 119961, -998],
      [1501, 'sh -c', 100, 0],
    ]);
    expect(f.killed).toEqual({ pid: 1500, comm: 'java', anonRssKb: 466160, fileRssKb: 13684 });
    const crash = parseConsoleLog(legacyMemcg, { path: '<memcg>', format: 'console-log' });
    const v = diagnose(crash).oom![0]!;
    expect(v.cause).toBe('memcg-limit');
    expect(v.summary).toContain('memory cgroup /kubepods/pod1 hit its limit of 512 MiB');
    expect(v.summary).toContain('killed java (pid 1500)');
  });

  it('stops at the next invocation and reads nothing from a line that is not one', () => {
    const two = `${legacyMemcg}\n${legacyMemcg}`;
    const records = parseLogText(two);
    expect(readOomFacts(records, 1)).toBeUndefined();
    const firstOnly = readOomFacts(records, 0)!;
    expect(firstOnly.taskCount).toBe(2);
  });

  it('4.19+ memcg summary: the cgroup whose limit was hit is oom_memcg, not the task’s child cgroup', () => {
    const log = [
      '[  10.0] app invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      '[  10.1] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/limited,task_memcg=/limited/child,task=app,pid=7,uid=0',
      '[  10.2] Memory cgroup out of memory: Killed process 7 (app) total-vm:1000kB, anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0',
    ].join('\n');
    const f = readOomFacts(parseLogText(log), 0)!;
    expect(f.memcg?.path).toBe('/limited');
  });

  it('order -1 is a forced OOM (SysRq-f, memcg), not an allocation', () => {
    const log =
      '[  10.0] kworker/0:1 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0';
    const crash = parseConsoleLog(log, { path: '<f>', format: 'console-log' });
    const v = diagnose(crash).oom![0]!;
    expect(v.summary).toMatch(
      /^Out of memory, forced: kworker\/0:1 invoked the OOM killer without an allocation/,
    );
  });

  it('3.10 prints per-cpu pagesets between Mem-Info: and the counters, and they are read', () => {
    const log = [
      '[  10.0] java invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0',
      '[  10.1] Mem-Info:',
      '[  10.2] Node 0 DMA per-cpu:',
      '[  10.3] CPU    0: hi:    0, btch:   1 usd:   0',
      '[  10.4] Node 0 DMA32 per-cpu:',
      '[  10.5] CPU    0: hi:  186, btch:  31 usd:  30',
      '[  10.6] active_anon:1000 inactive_anon:20 isolated_anon:0',
      ' active_file:5 inactive_file:6 isolated_file:0',
      ' free:1234 slab_reclaimable:10 slab_unreclaimable:200000',
    ].join('\n');
    const f = readOomFacts(parseLogText(log), 0)!;
    expect(f.pages).toMatchObject({ active_anon: 1000, free: 1234, slab_unreclaimable: 200000 });
  });
});

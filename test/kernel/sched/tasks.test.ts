import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatPs, renderPs } from '../../../src/cli/commands/ps.js';
import { KernelContext } from '../../../src/kernel/kernel-context.js';
import { loadKernelTasks } from '../../../src/kernel/sched/load.js';
import { openKernelDump } from '../../../src/load/dump-open.js';
import { drgnTasks, labDumps } from '../helpers/lab.js';

const dumps = labDumps();

/**
 * A ps row without PPID (crash 8.0.2 prints -1 for parents outside its 7-task table) and without
 * %MEM/RSS (crash 8.0.2 leaves MM_SHMEMPAGES out of RSS; checked separately below).
 * Columns: `> ` PID(7) ' ' PPID(7) ' ' CPU(3) '  ' TASK(16) ' ' ST(3) '  ' %MEM(4) ' ' VSZ(8) ' ' RSS(8) '  ' COMM.
 */
const comparable = (l: string) => l.slice(0, 10) + l.slice(18, 45) + l.slice(49, 59) + l.slice(67);
const rssOf = (l: string) => Number(l.slice(59, 67));
const memOf = (l: string) => l.slice(45, 49).trim();

describe.skipIf(dumps.length === 0)('tasks of the lab dumps, from nothing but the dump', () => {
  const opened: { close(): void }[] = [];
  afterAll(() => {
    for (const d of opened) d.close();
  });

  for (const lab of dumps) {
    describe(lab.scenario, () => {
      const kd = openKernelDump(lab.vmcore);
      opened.push(kd);
      const ctx = new KernelContext(kd.kernel);
      const r = loadKernelTasks(ctx);

      it("lists exactly drgn's tasks, with the same comm, state letter, CPU and task_struct", () => {
        const ours = r.tasks
          .filter((t) => t.pid > 0)
          .map((t) => ({ pid: t.pid, comm: t.comm, state: t.stateLetter, cpu: t.cpu, task: t.task }));
        const theirs = drgnTasks(lab.dir).sort((a, b) => a.pid - b.pid);
        expect(ours).toEqual(theirs);
        expect(ctx.problems).toEqual([]);
      });

      it("prints crash's ps rows for every task crash sees (crash 8.0.2 lacks parents: PPID -1)", () => {
        const crash = readFileSync(join(lab.dir, 'crash', 'ps.txt'), 'utf8')
          .split('\n')
          .filter(Boolean);
        expect(crash[0]).toBe(formatPs([]).trimEnd());
        const ours = new Map(
          formatPs(r.tasks)
            .split('\n')
            .map((l) => [comparable(l), l]),
        );
        for (const line of crash.slice(1)) {
          const mine = ours.get(comparable(line));
          expect(mine, line).toBeDefined();
          const task = r.tasks.find((t) => t.task === BigInt(`0x${line.slice(23, 39)}`))!;
          const shmemKb =
            (task.rssKb ?? 0) > 0
              ? r.memory.get(r.kernelTasks.find((k) => k.address === task.task)!.mm)!.shmemPages * 4
              : 0;
          expect(rssOf(mine!) - shmemKb, line).toBe(rssOf(line));
          const pct = task.rssKb ? ((task.memPercent ?? 0) * rssOf(line)) / task.rssKb : 0;
          expect(pct.toFixed(1), line).toBe(memOf(line));
        }
      });

      it("finds each CPU's runqueue and current task where crash's runq does", () => {
        const text = readFileSync(join(lab.dir, 'crash', 'runq.txt'), 'utf8');
        const rows = [
          ...text.matchAll(/^CPU (\d+) RUNQUEUE: ([0-9a-f]+)\n\s+CURRENT: PID: (\d+)\s+TASK: ([0-9a-f]+)/gm),
        ];
        expect(rows.length).toBe(r.cpus.length);
        const runqueues = ctx.symbols.address('runqueues')!;
        for (const m of rows) {
          const cpu = Number(m[1]);
          expect(ctx.percpu.address(runqueues, cpu)).toBe(BigInt(`0x${m[2]}`));
          expect(r.cpus[cpu]).toMatchObject({ pid: Number(m[3]), task: BigInt(`0x${m[4]}`) });
        }
      });

      it('marks one running task per online CPU, matching the NT_PRSTATUS pids', () => {
        const active = r.tasks.filter((t) => t.active);
        expect(active.length).toBe(r.cpus.filter((c) => !c.offline).length);
        for (const pr of kd.kernel.cpus) {
          const cpu = r.cpus.find((c) => c.id === pr.cpu);
          expect(cpu?.pid, `CPU ${pr.cpu}`).toBe(pr.pid);
        }
        expect(r.tasks.filter((t) => t.panicking).length).toBe(1);
      });
    });
  }
});

const FORMATS = ['vmcore.elf', 'vmcore.flat', 'vmcore.kdump-lzo', 'vmcore.kdump-zstd', 'vmcore.kdump-snappy'];
const formatsOf = (lab: (typeof dumps)[number]) =>
  FORMATS.map((f) => join(lab.dir, f)).filter((p) => existsSync(p));
const withFormats = dumps.filter((d) => d.scenario === 'mutex-hung' && formatsOf(d).length > 0);

describe.skipIf(withFormats.length === 0)('the same tasks from every container format', () => {
  for (const lab of withFormats) {
    it(`${lab.scenario}: ${formatsOf(lab).length} formats list what the kdump-zlib vmcore lists`, () => {
      const listing = (path: string) => {
        const kd = openKernelDump(path);
        try {
          return formatPs(loadKernelTasks(new KernelContext(kd.kernel)).tasks);
        } finally {
          kd.close();
        }
      };
      const reference = listing(lab.vmcore);
      for (const path of formatsOf(lab)) expect(listing(path), path).toBe(reference);
    });
  }
});

describe.skipIf(dumps.length === 0)('ktriage ps options', () => {
  const lab = dumps.find((d) => d.scenario === 'mutex-hung') ?? dumps[0]!;
  const rows = (out: string) => out.split('\n').slice(1).filter(Boolean);

  it('selects by PID, task address, command, kernel/user and thread-group leader', () => {
    const all = rows(renderPs(lab.vmcore));
    const drgn = drgnTasks(lab.dir);
    const first = drgn[0]!;
    expect(rows(renderPs(lab.vmcore, { filters: [String(first.pid)] }))).toHaveLength(1);
    expect(rows(renderPs(lab.vmcore, { filters: [first.task.toString(16)] }))[0]).toContain(first.comm);
    expect(rows(renderPs(lab.vmcore, { filters: [first.comm] })).length).toBeGreaterThanOrEqual(1);
    const kernel = rows(renderPs(lab.vmcore, { kernelOnly: true }));
    const user = rows(renderPs(lab.vmcore, { userOnly: true }));
    expect(kernel.length + user.length).toBe(all.length);
    expect(kernel.every((l) => l.trimEnd().endsWith(']'))).toBe(true);
    expect(rows(renderPs(lab.vmcore, { groupLeaders: true })).length).toBeLessThanOrEqual(all.length);
  });
});

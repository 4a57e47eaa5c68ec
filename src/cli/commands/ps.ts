/** `ktriage ps VMCORE`: every task of a dump, in crash's `ps` columns (`>` marks a CPU's running task). */

import type { Command } from 'commander';
import { KtriageError } from '../../errors.js';
import { KernelContext } from '../../kernel/kernel-context.js';
import { loadKernelTasks } from '../../kernel/sched/load.js';
import { openKernelDump } from '../../load/dump-open.js';
import { openSymbolsFile } from '../../load/symbols-file.js';
import type { Task } from '../../model/task.js';
import { splitDumpArgs } from '../dump-args.js';
import { ttyProgress } from './progress.js';

export interface PsOptions {
  /** System.map or vmlinux for dumps without kallsyms in VMCOREINFO. */
  symbols?: string;
  kernelOnly?: boolean;
  userOnly?: boolean;
  groupLeaders?: boolean;
  /** PIDs, task_struct addresses (hex) or command names; empty = all. */
  filters?: string[];
}

export function registerPs(program: Command): void {
  program
    .command('ps')
    .description("list every task of a vmcore, like crash's `ps` (needs no debuginfo on Linux 6.0+)")
    .argument('<vmcore>', 'ELF, kdump-compressed or flattened dump')
    .argument('[task...]', 'only these PIDs, task_struct addresses (hex) or command names')
    .option('--symbols <file>', 'System.map or vmlinux, for kernels whose dump has no kallsyms (< 6.0)')
    .option('-k, --kernel', 'kernel threads only')
    .option('-u, --user', 'user tasks only')
    .option('-G, --group', 'thread group leaders only')
    .action(
      (
        first: string,
        others: string[],
        o: { symbols?: string; kernel?: boolean; user?: boolean; group?: boolean },
      ) => {
        const { vmcore, rest: filters } = splitDumpArgs([first, ...others], 'first');
        process.stdout.write(
          renderPs(vmcore, {
            symbols: o.symbols,
            kernelOnly: o.kernel,
            userOnly: o.user,
            groupLeaders: o.group,
            filters,
          }),
        );
      },
    );
}

export function renderPs(vmcore: string, options: PsOptions = {}): string {
  const progress = ttyProgress();
  const dump = openKernelDump(vmcore, { progress });
  const symbolsFile = options.symbols ? openSymbolsFile(options.symbols) : undefined;
  try {
    const ctx = new KernelContext(dump.kernel, { symbolsFile });
    const { tasks } = loadKernelTasks(ctx);
    progress.done();
    for (const p of ctx.problems) process.stderr.write(`ktriage: ps: ${p}\n`);
    const shown = tasks.filter((t) => selected(t, options));
    const absent = (options.filters ?? []).filter((f) => !tasks.some((t) => matches(t, f)));
    if (absent.length > 0 && shown.length === 0)
      throw new KtriageError('missingData', `ps: no task ${absent.join(', ')} in this dump`);
    for (const f of absent) process.stderr.write(`ktriage: ps: no task ${f} in this dump\n`);
    return formatPs(shown);
  } finally {
    symbolsFile?.close?.();
    dump.close();
    progress.done();
  }
}

function selected(t: Task, o: PsOptions): boolean {
  if (o.kernelOnly && !t.kernelThread) return false;
  if (o.userOnly && t.kernelThread) return false;
  if (o.groupLeaders && t.tgid !== undefined && t.tgid !== t.pid) return false;
  if (!o.filters?.length) return true;
  return o.filters.some((f) => matches(t, f));
}

/** A PID, a task_struct address (hex) or a command name. */
function matches(t: Task, filter: string): boolean {
  if (/^\d+$/.test(filter)) return t.pid === Number(filter);
  if (/^(0x)?[0-9a-f]{9,16}$/i.test(filter))
    return t.task === BigInt(filter.startsWith('0x') ? filter : `0x${filter}`);
  return t.comm === filter;
}

const HEADER = '      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM\n';

/** crash's show_ps_data() layout. */
export function formatPs(tasks: Task[]): string {
  let out = HEADER;
  for (const t of tasks) {
    const st = t.state ?? '??';
    let mem = (t.memPercent ?? 0).toFixed(1);
    if (mem.length === 3) mem = ` ${mem}`;
    const comm = t.kernelThread ? `[${t.comm ?? ''}]` : (t.comm ?? '');
    out +=
      `${t.active ? '> ' : '  '}${String(t.pid).padStart(7)} ${String(t.ppid ?? 0).padStart(7)} ` +
      `${String(t.cpu ?? 0).padStart(3)}  ${(t.task ?? 0n).toString(16).padStart(16, '0')} ${st.padStart(3)}` +
      `${st.length > 3 ? ' ' : '  '}${mem} ${String(t.vszKb ?? 0).padStart(8)} ${String(t.rssKb ?? 0).padStart(8)}  ${comm}\n`;
  }
  return out;
}

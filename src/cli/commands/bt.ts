/**
 * `ktriage bt [-a] [-f|-t] [PID|TASK] VMCORE`: backtraces unwound from the dump itself (ORC, no
 * debuginfo), printed as crash's `bt` prints them. No target: the panic task; `-a`: the active task
 * of every CPU; a PID (every task with it) or a task_struct address; `-f`: the words of each frame;
 * `-t`: every text address on the stacks the backtrace crossed (crash `bt -t`).
 */

import type { Command } from 'commander';
import { KtriageError } from '../../errors.js';
import { unwinderFromContext } from '../../kernel/unwind/from-context.js';
import type { KernelUnwinder } from '../../kernel/unwind/kernel-unwinder.js';
import { scanStackText } from '../../kernel/unwind/text-scan.js';
import { addFrameWords } from '../../kernel/unwind/to-model.js';
import { loadDumpDetailed } from '../../load/dump.js';
import { openSymbolsFile } from '../../load/symbols-file.js';
import type { Crash } from '../../model/crash.js';
import type { Stack } from '../../model/stack.js';
import { splitDumpArgs } from '../dump-args.js';
import { formatBt } from './bt-format.js';
import { formatBtText, routeOf } from './bt-text.js';
import { ttyProgress } from './progress.js';

export interface BtOptions {
  all?: boolean;
  full?: boolean;
  /** crash `bt -t`: every stack word holding a kernel text address. */
  text?: boolean;
  /** System.map or vmlinux for dumps without kallsyms in VMCOREINFO. */
  symbols?: string;
}

export function registerBt(program: Command): void {
  program
    .command('bt')
    .description("print backtraces unwound from a vmcore (ORC tables, no debuginfo), like crash's `bt`")
    .usage('[options] [PID|TASK] VMCORE')
    .argument(
      '<vmcore...>',
      '[PID|TASK] VMCORE: a PID or task_struct address (default: the panic task), then the dump',
    )
    .option('--symbols <file>', 'System.map or vmlinux, for kernels whose dump has no kallsyms (< 6.0)')
    .option('-a, --all', 'the active task of every CPU (crash `bt -a`)')
    .option('-f, --full', 'also print the stack words of each frame (crash `bt -f`)')
    .option(
      '-t, --text',
      'instead of frames, every stack word holding a kernel text address, from the start of the backtrace ' +
        'to the top of each stack it crossed; `?` = not after a call instruction (crash `bt -t`)',
    )
    .action((args: string[], options: BtOptions) => {
      if (args.length > 2)
        throw new KtriageError('usage', 'bt: give at most one PID or task address, then the vmcore');
      if (options.full && options.text) throw new KtriageError('usage', 'bt: -f and -t cannot be combined');
      const { vmcore, rest } = splitDumpArgs(args, 'last');
      process.stdout.write(renderBt(vmcore, rest[0], options));
    });
}

/** The stacks a `bt` invocation prints, in order. */
export function selectStacks(crash: Crash, target: string | undefined, options: BtOptions): Stack[] {
  const stackOf = (i: number | undefined) => (i === undefined ? undefined : crash.stacks[i]);
  if (options.all) {
    return [...crash.cpus].sort((x, y) => x.id - y.id).flatMap((c) => stackOf(c.stack) ?? []);
  }
  if (target === undefined) {
    const cpu = crash.cpus.find((c) => c.id === crash.system.panicCpu);
    const panicking = stackOf(cpu?.stack) ?? stackOf(crash.tasks.find((t) => t.panicking)?.stack);
    if (!panicking) throw new KtriageError('missingData', 'bt: no panic task in this dump: give a PID or -a');
    return [panicking];
  }
  const byTask = /^(0x)?[0-9a-f]{9,16}$/i.test(target)
    ? BigInt(target.startsWith('0x') ? target : `0x${target}`)
    : undefined;
  const pid = /^\d+$/.test(target) ? Number(target) : undefined;
  if (byTask === undefined && pid === undefined)
    throw new KtriageError('usage', `bt: "${target}" is neither a PID nor a task address`);
  const tasks = crash.tasks.filter((t) => (byTask !== undefined ? t.task === byTask : t.pid === pid));
  const stacks = tasks.flatMap((t) => stackOf(t.stack) ?? []);
  if (stacks.length === 0) {
    throw new KtriageError(
      'missingData',
      `bt: no task ${target} in this dump${tasks.length > 0 ? ' with a stack' : ''}`,
    );
  }
  return stacks;
}

export function renderBt(vmcore: string, target: string | undefined, options: BtOptions = {}): string {
  const progress = ttyProgress();
  try {
    const symbolsFile = options.symbols ? openSymbolsFile(options.symbols) : undefined;
    const loaded = loadDumpDetailed(vmcore, { kernel: symbolsFile ? { symbolsFile } : true, progress });
    try {
      const { crash } = loaded;
      if (!crash.stacks.some((s) => s.origin === 'unwind')) {
        const why =
          crash.gaps.find((g) => g.what === 'stacks' || g.what === 'tasks')?.why ?? 'no stacks could be read';
        throw new KtriageError('missingData', `bt: ${why}`);
      }
      const stacks = selectStacks(crash, target, options);
      if (options.text) {
        if (!loaded.kernelContext)
          throw new KtriageError('missingData', 'bt -t: no kernel symbols in this dump');
        const unwinder = unwinderFromContext(loaded.kernelContext);
        return `${stacks.map((s) => textOf(crash, s, unwinder)).join('\n\n')}\n`;
      }
      const memory = crash.memory;
      if (options.full && memory) for (const s of stacks) addFrameWords(s, (a) => memory.readU64(a));
      return `${stacks.map((s) => formatBt(s, { words: options.full })).join('\n\n')}\n`;
    } finally {
      loaded.kernelDump.close();
      symbolsFile?.close?.();
    }
  } finally {
    progress.done();
  }
}

/** crash `bt -t` of one stack: its CPU's IRQ/exception stacks when it is a CPU's active task. */
function textOf(crash: Crash, stack: Stack, unwinder: KernelUnwinder): string {
  const cpu = crash.cpus.find((c) => c.stack !== undefined && crash.stacks[c.stack] === stack);
  const task = stack.task !== undefined ? crash.tasks.find((t) => t.task === stack.task) : undefined;
  const mem = unwinder.stackMemory({
    ...(cpu ? { cpu: cpu.id } : {}),
    ...(stack.task !== undefined ? { task: stack.task } : {}),
    ...(task?.stackBase !== undefined ? { stackBase: task.stackBase } : {}),
  });
  return formatBtText(stack, scanStackText(routeOf(stack), mem, unwinder.env));
}

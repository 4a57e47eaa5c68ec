/**
 * The unwinder of a dump's kernel, from the KernelContext (symbols, BTF, modules), and the dump
 * loader's entry point `unwindStacks`: fills `Crash.stacks` for every CPU and task. Public names:
 * unwinderFromContext, unwindStacks.
 */

import { KtriageError } from '../../errors.js';
import type { Crash } from '../../model/crash.js';
import type { KernelContext } from '../kernel-context.js';
import { type FillStacksOptions, type FillStacksResult, fillStacks } from './fill-stacks.js';
import { KernelUnwinder } from './kernel-unwinder.js';
import type { KernelLayout } from './orc-load.js';

/** BTF answers in the shape the unwinder asks them; undefined when the kernel has no BTF. */
function layoutOf(ctx: KernelContext): KernelLayout | undefined {
  try {
    const types = ctx.types;
    return {
      offsetOf: (s, p) => types.member(s, p)?.offset,
      sizeOf: (s) => types.sizeof(s),
      memberSize: (s, p) => {
        const m = types.member(s, p);
        return m ? types.sizeof(m.type) : undefined;
      },
    };
  } catch (error) {
    if (error instanceof KtriageError && error.kind !== 'internal') return undefined;
    throw error;
  }
}

export function unwinderFromContext(ctx: KernelContext): KernelUnwinder {
  const layout = layoutOf(ctx);
  const symbols = ctx.symbols;
  const unwinder = new KernelUnwinder({
    read: (address, length) => ctx.kernel.tryReadVirt(address, length),
    symbols,
    ...(layout ? { layout } : {}),
    ...(ctx.vmcoreinfo.osRelease ? { release: ctx.vmcoreinfo.osRelease } : {}),
    modules: symbols.loadedModules.map((m) => ({ name: m.name, address: m.address, regions: m.regions })),
  });
  if (!layout) unwinder.notes.push('no BTF: struct layouts of Linux 6.1 assumed for stacks');
  return unwinder;
}

/**
 * Unwinds every CPU and task of a dump into `crash.stacks` (the dump loader calls this once the task
 * list is in the model). A kernel without ORC tables leaves a gap instead of failing the load.
 */
export function unwindStacks(
  crash: Crash,
  ctx: KernelContext,
  options: FillStacksOptions = {},
): FillStacksResult | undefined {
  let unwinder: KernelUnwinder;
  try {
    unwinder = unwinderFromContext(ctx);
  } catch (error) {
    if (!(error instanceof KtriageError) || error.kind === 'internal') throw error;
    crash.gaps.push({ what: 'stacks', why: error.message });
    return undefined;
  }
  const result = fillStacks(crash, unwinder, options);
  for (const note of unwinder.notes) crash.gaps.push({ what: 'stacks', why: note });
  if (result.truncated > 0) {
    crash.gaps.push({
      what: 'stacks',
      why: `${result.truncated} stack(s) could not be unwound to their end (see each stack's evidence)`,
    });
  }
  return result;
}

/**
 * The unwinder of a dump's kernel, built from what the kernel context knows: memory, kallsyms
 * (core + modules, whose text ranges and ORC tables the unwinder loads), BTF layouts (offsets of
 * `inactive_task_frame`, `task_struct.thread.sp`, `module.arch.orc_unwind*`) and the release.
 * Public names: unwinderFor, typesLayout.
 */

import { KtriageError } from '../errors.js';
import type { Types } from '../kernel/btf/layout.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import { KernelUnwinder } from '../kernel/unwind/kernel-unwinder.js';
import type { KernelLayout, ModuleText } from '../kernel/unwind/orc-load.js';

/** BTF answers as the unwinder asks them: undefined instead of errors. */
export function typesLayout(types: Types): KernelLayout {
  return {
    offsetOf: (struct, path) => types.member(struct, path)?.offset,
    sizeOf: (struct) => types.sizeof(struct),
    memberSize: (struct, path) => {
      const m = types.member(struct, path);
      return m ? types.sizeof(m.type) : undefined;
    },
  };
}

export function unwinderFor(ctx: KernelContext): KernelUnwinder {
  const kernel = ctx.kernel;
  let layout: KernelLayout | undefined;
  try {
    layout = typesLayout(ctx.types);
  } catch (error) {
    if (!(error instanceof KtriageError)) throw error;
    ctx.problems.push(`unwinding without BTF (v6.1 layouts assumed): ${error.message}`);
  }
  const symbols = ctx.symbols;
  const modules: ModuleText[] = symbols.loadedModules.map((m) => ({
    name: m.name,
    address: m.address,
    regions: m.regions,
  }));
  return new KernelUnwinder({
    read: (address, length) => kernel.tryReadVirt(address, length),
    symbols,
    ...(layout ? { layout } : {}),
    release: ctx.vmcoreinfo.osRelease,
    modules,
  });
}

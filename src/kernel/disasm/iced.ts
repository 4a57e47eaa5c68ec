/**
 * The disassembler library (iced-x86, Rust compiled to WebAssembly), loaded on first use: compiling
 * its 0.8 MB module costs ~50–100 ms, which an analysis that never looks at code should not pay.
 * Node loads it with `require`; a browser bundle, which cannot, hands the statically imported module
 * to `useIced` before the first disassembly. Public names: IcedModule, loadIced, useIced.
 */

import { createRequire } from 'node:module';
import { KtriageError } from '../../errors.js';

export type IcedModule = typeof import('iced-x86');

let loaded: IcedModule | undefined;

/** For bundles: the module imported by the bundle itself (`import * as iced from 'iced-x86'`). */
export function useIced(module: IcedModule): void {
  loaded = module;
}

export function loadIced(): IcedModule {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('iced-x86') as IcedModule;
  } catch (error) {
    throw new KtriageError(
      'internal',
      `the disassembler (iced-x86) could not be loaded: ${(error as Error).message}`,
    );
  }
  return loaded;
}

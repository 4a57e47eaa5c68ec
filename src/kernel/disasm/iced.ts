/**
 * The disassembler library (iced-x86, Rust compiled to WebAssembly), loaded on first use: compiling
 * its 0.8 MB module costs ~50–100 ms, which an analysis that never looks at code should not pay.
 * Node loads it with `require`; a browser bundle, which cannot, hands the statically imported module
 * to `useIced` before the first disassembly. Public names: IcedModule, loadIced, useIced.
 */

import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
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
    // Its module is compiled when required. Liftoff (V8's baseline wasm compiler) alone: the few
    // hundred instructions an analysis decodes never repay TurboFan's background tier-up, which
    // cost ~80 ms of CPU and ~14 MiB per run (bench/analyze.ts on abba-spinlock-irqoff). Only wasm
    // compiled from here on is affected, and iced-x86 is the only wasm we load.
    setFlagsFromString('--liftoff-only');
    loaded = createRequire(import.meta.url)('iced-x86') as IcedModule;
  } catch (error) {
    throw new KtriageError(
      'internal',
      `the disassembler (iced-x86) could not be loaded: ${(error as Error).message}`,
    );
  }
  return loaded;
}

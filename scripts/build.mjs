/**
 * `npm run build` (run by `npm ci` through `prepare`): the CLI bundled into one file,
 * dist/ktriage.js, with its source map. Node then loads one module instead of ~200, which saves
 * ~80 ms of every run (bench/README.md). esbuild only strips types and bundles: `npm run typecheck`
 * (tsc) checks them.
 */

import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

// A stale tree of per-module files (the old tsc output) would be picked up by tools that look for it.
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/ktriage.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Stack traces (KTRIAGE_DEBUG=1) name src/**/*.ts lines: bin/ktriage.js turns source maps on.
  sourcemap: true,
  sourcesContent: false,
  // iced-x86's wasm-bindgen glue reads its .wasm from beside itself: it stays in node_modules and
  // is required on first use (src/kernel/disasm/iced.ts).
  external: ['iced-x86'],
  // commander is CommonJS and requires Node built-ins: give the ES module bundle a `require`.
  banner: {
    js: "import { createRequire as __ktriageCreateRequire } from 'node:module';\nconst require = __ktriageCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

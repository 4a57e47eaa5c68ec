#!/usr/bin/env node
// Entry point: the CLI bundled into one file, dist/ktriage.js (built by `npm ci` through the prepare
// script, see scripts/build.mjs): one module to load instead of ~200.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/ktriage.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('ktriage: not built yet — run `npm ci` (or `npm run build`) in the ktriage folder\n');
  process.exit(1);
}
// KTRIAGE_DEBUG=1 prints stacks of internal errors: let them name the TypeScript sources. Only then,
// since reading the 2 MB source map costs time.
if (process.env.KTRIAGE_DEBUG) process.setSourceMapsEnabled(true);
await import(main.href);

/**
 * What the benches share besides timing: their options, the default dump, the reference tools'
 * debug vmlinux, and the CLI as users run it (the bundle, dist/ktriage.js, behind bin/ktriage.js).
 */

import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, sharedPath } from '../../test/helpers/shared.js';
import { have } from './timed.js';

/** Debian's debug vmlinux of the lab kernel (linux-image-amd64-dbg), which crash and drgn need. */
export const DEBUG_VMLINUX = '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64';

export interface BenchArgs {
  /** `--runs N` (or `--repeat N`): how many runs to take the median (or best) of. */
  runs: number;
  /** `--vmlinux PATH`: the debug vmlinux for crash and drgn. */
  vmlinux: string;
  /** `--skip crash,drgn` (or `--no-crash`, `--no-drgn`): reference tools left out. */
  skip: Set<string>;
  /** Everything that is not an option: dumps, directories. */
  positional: string[];
}

function usage(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

/** Parses a bench's command line; `runs` is the default number of runs. */
export function parseArgs(argv: string[], defaults: { runs: number }): BenchArgs {
  const parsed: BenchArgs = { runs: defaults.runs, vmlinux: DEBUG_VMLINUX, skip: new Set(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === '--runs' || arg === '--repeat') {
      parsed.runs = Number(value());
      if (!Number.isInteger(parsed.runs) || parsed.runs < 1) usage(`${arg} takes a positive whole number`);
    } else if (arg === '--vmlinux') parsed.vmlinux = value();
    else if (arg === '--skip') for (const tool of value().split(',').filter(Boolean)) parsed.skip.add(tool);
    else if (arg.startsWith('--no-')) parsed.skip.add(arg.slice('--no-'.length));
    else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
    else parsed.positional.push(arg);
  }
  return parsed;
}

/** The dumps to run on: those given, or the lab's mutex-hung dump in ../shared. Exits if one is absent. */
export function dumpsToRun(args: BenchArgs): string[] {
  const dumps = args.positional.length
    ? args.positional
    : [sharedPath('lab', 'corpus', 'mutex-hung', 'vmcore') ?? ''];
  for (const dump of dumps) {
    if (!dump || !existsSync(dump)) {
      console.error(`bench: no vmcore ${dump ? `at ${dump}` : '(give a path, or have ../shared/lab)'}`);
      process.exit(3);
    }
  }
  return dumps;
}

/** `PATH (16.4 MiB)`: the heading of a dump's figures. */
export function dumpHeading(vmcore: string): string {
  return `${vmcore} (${(statSync(vmcore).size / 2 ** 20).toFixed(1)} MiB)`;
}

/** Builds dist/ktriage.js when it is absent: the benches time the bundle users run. */
export function ensureBuilt(): void {
  if (!existsSync(join(repoRoot, 'dist', 'ktriage.js')))
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
}

/** The command line of `ktriage ARGS…` as users run it (bin/ktriage.js loads the bundle). */
export function ktriage(...args: string[]): string[] {
  return [process.execPath, join(repoRoot, 'bin', 'ktriage.js'), ...args];
}

/** Whether a reference tool runs: not skipped, on PATH, and (crash, drgn) the debug vmlinux is there. */
export function wants(args: BenchArgs, tool: string, needsVmlinux = true): boolean {
  return !args.skip.has(tool) && have(tool) && (!needsVmlinux || existsSync(args.vmlinux));
}

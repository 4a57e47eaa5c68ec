/** ktriage command line: thin wiring of commands; no logic of its own. */

import { Command } from 'commander';
import { fail, ignoreBrokenPipe } from './fail.js';
import { oneLineUsageErrors } from './usage-errors.js';

type Register = (program: Command) => void;

/**
 * Each command's module is imported only when that command runs: `ktriage log` should not pay for
 * loading the analyzers, BTF and the unwinder (about 0.1 s). Help and unknown commands load all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  analyze: async () => (await import('./commands/analyze.js')).registerAnalyze,
  log: async () => (await import('./commands/log.js')).registerLog,
  sys: async () => (await import('./commands/sys.js')).registerSys,
  ps: async () => (await import('./commands/ps.js')).registerPs,
  bt: async () => (await import('./commands/bt.js')).registerBt,
};

const program = new Command();
program
  .name('ktriage')
  .description('Turn a Linux kernel crash (vmcore, console log or crash transcript) into a diagnosis')
  .version('0.1.0')
  .exitOverride();

ignoreBrokenPipe();
try {
  const requested = process.argv[2];
  const names = requested && requested in COMMANDS ? [requested] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]!())(program);
  for (const command of program.commands) command.exitOverride();
  oneLineUsageErrors(program);
  await program.parseAsync(process.argv);
} catch (error) {
  fail(error);
}

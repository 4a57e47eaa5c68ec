/** ktriage command line: thin wiring of commands; no logic of its own. */

import { Command } from 'commander';
import { registerAnalyze } from './commands/analyze.js';
import { registerBt } from './commands/bt.js';
import { registerLog } from './commands/log.js';
import { registerPs } from './commands/ps.js';
import { registerSys } from './commands/sys.js';
import { fail, ignoreBrokenPipe } from './fail.js';

const program = new Command();
program
  .name('ktriage')
  .description('Turn a Linux kernel crash (vmcore, console log or crash transcript) into a diagnosis')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError('(ktriage --help lists the commands)');
for (const register of [registerAnalyze, registerLog, registerSys, registerPs, registerBt]) register(program);
for (const command of program.commands) command.exitOverride();

ignoreBrokenPipe();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  fail(error);
}

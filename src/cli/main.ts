/** ktriage command line: thin wiring of commands; no logic of its own. */

import { Command } from 'commander';

const program = new Command();
program.name('ktriage').description('Turn a Linux kernel crash into a diagnosis').version('0.1.0');
await program.parseAsync(process.argv);

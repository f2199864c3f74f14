// The `reprise` command. Thin: the program lives in src/cli/.
import { main } from './cli/program.js';

process.exitCode = await main(process.argv);

// The `reprise` command. Thin: the program lives in src/cli/.
import * as nodeModule from 'node:module';
import { mapStackTraces } from './stack-traces.js';
import { holdYoungGeneration } from './young-generation.js';

// A stack trace names src/ lines (dist/ is minified); the maps are read only if one is printed.
mapStackTraces();
// `reprise run` holds the heap's young generation at its size from here until a call runs live: a resume
// keeps what it reads and replays (src/young-generation.ts). Other commands leave it alone.
if (process.argv[2] === 'run') holdYoungGeneration();
// Node 22.1+ keeps the code it compiled for the bundle's chunks on disk (in the temporary directory, as
// tsc does; NODE_DISABLE_COMPILE_CACHE=1 turns it off): a later start compiles less. Older Node lacks it.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main, standardIO } = await import('./cli/program.js');
const io = standardIO();

// Output read by a program that stopped reading (`reprise runs ls | head -1`) is not an error worth a
// stack trace; `reprise run` also stops its run cleanly when that happens (see cli/run.ts).
for (const stream of [io.out, io.err]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

try {
  process.exitCode = await main(process.argv, io);
} catch (caught) {
  // A bug in reprise, not in the workflow or the command: its stack (src/ lines), not a page of bundle.
  io.err.write(
    `reprise: internal error: ${caught instanceof Error ? (caught.stack ?? caught.message) : String(caught)}\n`,
  );
  process.exitCode = 1;
}
// The command is done: what it wrote is flushed, and the process exits now instead of letting Node take
// down the heap page by page first (munmap after munmap: about 15 ms after a resume of 1,000 calls, more
// after a larger one). Node's code cache is still saved at exit.
await Promise.all([io.out.flushed?.(), io.err.flushed?.()]);
process.exit();

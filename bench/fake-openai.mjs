// The fake OpenAI server of the tests (test/fakes/openai-server.ts) in a process of its own, so that the
// benchmarks' measured processes do not share a process (and its event loop) with it. Prints its base URL
// on the first line of stdout, then serves until stdin closes or it is signalled.
// Node 24 runs the TypeScript source directly (type stripping); ts-imports.mjs maps its `./x.js` imports.
import './ts-imports.mjs';

const { startFakeOpenAI } = await import('../test/fakes/openai-server.ts');
const fake = await startFakeOpenAI();
// The fake records every request for the tests' assertions; a benchmark has no use for them.
setInterval(() => fake.requests.splice(0), 1000).unref();
process.stdout.write(`${fake.url}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.stdin.on('end', stop).resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

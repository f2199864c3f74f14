// Action entry point (main). Thin: the logic is in src/action/main.ts. The first line of the log is said
// before @actions/core, the workflow and the engine load (src/action/first-line.ts); they are imported
// after it.
import { sayFirstLine } from './action/first-line.js';
import { mapStackTraces } from './stack-traces.js';

// A stack trace names src/ lines (dist/ is minified); the maps are read only if one is printed.
mapStackTraces();
// The runner's inputs as @actions/core reads them (INPUT_<NAME>, trimmed), before it loads.
sayFirstLine({
  env: process.env,
  getInput: (name) => (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
  info: (line) => void process.stdout.write(`${line}\n`),
});
const { runnerHost } = await import('./action/host.js');
const { runMain } = await import('./action/main.js');

const host = runnerHost();
try {
  await runMain(host);
} catch (caught) {
  host.setFailed(caught instanceof Error ? (caught.stack ?? caught.message) : String(caught));
}
// The toolkit's HTTP clients can keep Node alive with pending retries: exit once the work is done.
process.exit();

// Action entry point (post). Thin: the logic is in src/action/post.ts.
import { leftToSave, runPost } from './action/post.js';
import { mapStackTraces } from './stack-traces.js';

// A stack trace names src/ lines (dist/ is minified); the maps are read only if one is printed.
mapStackTraces();
// Usually main saved and there is nothing to do: that is read from main's state as the runner hands it
// (STATE_<name>, what @actions/core's getState reads), before @actions/core and the stores load.
const probe = {
  getState: (name: string) => process.env[`STATE_${name}`] ?? '',
  info: (line: string) => void process.stdout.write(`${line}\n`),
};
if (leftToSave(probe)) {
  const { runnerHost } = await import('./action/host.js');
  const host = runnerHost();
  try {
    await runPost(host);
  } catch (caught) {
    // The post step only saves; it never fails the job.
    host.warning(`reprise post: ${caught instanceof Error ? caught.message : String(caught)}`);
  }
}
process.exit();

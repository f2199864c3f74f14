// Action entry point (main). Thin: the logic is in src/action/main.ts.
import { runnerHost } from './action/host.js';
import { runMain } from './action/main.js';

const host = runnerHost();
try {
  await runMain(host);
} catch (caught) {
  host.setFailed(caught instanceof Error ? (caught.stack ?? caught.message) : String(caught));
}
// The toolkit's HTTP clients can keep Node alive with pending retries: exit once the work is done.
process.exit();

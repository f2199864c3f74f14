// Action entry point (post). Thin: the logic is in src/action/post.ts.
import { runnerHost } from './action/host.js';
import { runPost } from './action/post.js';

const host = runnerHost();
try {
  await runPost(host);
} catch (caught) {
  // The post step only saves; it never fails the job.
  host.warning(`reprise post: ${caught instanceof Error ? caught.message : String(caught)}`);
}
process.exit();

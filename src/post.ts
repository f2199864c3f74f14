// Action entry point (post). Thin: the logic is in src/action/post.ts, imported only after source maps
// are on, so a stack trace names src/ lines (dist/ is minified).
process.setSourceMapsEnabled(true);
const { runnerHost } = await import('./action/host.js');
const { runPost } = await import('./action/post.js');

const host = runnerHost();
try {
  await runPost(host);
} catch (caught) {
  // The post step only saves; it never fails the job.
  host.warning(`reprise post: ${caught instanceof Error ? caught.message : String(caught)}`);
}
process.exit();

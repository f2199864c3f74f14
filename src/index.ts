// Action entry point (main). Thin: the logic is in src/action/main.ts, imported only after source maps
// are on, so a stack trace names src/ lines (dist/ is minified).
process.setSourceMapsEnabled(true);
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

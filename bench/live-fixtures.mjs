// What the live-call benchmarks share (bench/cold.bench.ts, bench/live-calls.mjs, bench/live-warm.mjs): the
// fake OpenAI server in a process of its own, and the workflow, inputs and bare SDK client they compare.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');

/** A key of a real key's length, so that redacting it from every journal line costs what it costs in use. */
export const API_KEY = 'sk-bench-0123456789abcdefghijklmnopqrstuvwxyzABCDEF0123456789';

/**
 * Starts bench/fake-openai.mjs (Node 24 runs the fake's TypeScript source: the project's own Node 24 when
 * present). Resolves to its base URL and a function that stops it.
 */
export async function startFakeProcess() {
  const node = existsSync(join(REPO, 'node_modules/.bin/node'))
    ? join(REPO, 'node_modules/.bin/node')
    : process.execPath;
  const child = spawn(node, [join(REPO, 'bench/fake-openai.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`bench/fake-openai.mjs exited ${code}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      if (out.includes('\n')) resolveUrl(out.split('\n')[0]);
    });
  });
  return { url, stop: () => child.stdin.end() };
}

/**
 * Writes into `dir` the live workflow (a `for-each` of agent calls against the fake at `url`), an inputs file
 * `items-<n>.json` for each count, and two bare clients making the same requests at the same concurrency
 * (`node bare-sdk.mjs <url> <count>`): `bare-sdk.mjs` through the OpenAI SDK alone, and `bare-fetch.mjs`
 * with Node's `fetch` and `JSON.parse`, the least any client does (reprise sends its requests this way too).
 */
export function writeLiveFixtures(dir, { url, counts, concurrency, maxCalls }) {
  writeFileSync(
    join(dir, 'live.yml'),
    `name: live
limits: { max-calls: ${maxCalls} }
providers:
  fake: { type: openai, base-url: "${url}" }
steps:
  - id: review
    for-each: \${{ fromJSON(inputs.items) }}
    concurrency: ${concurrency}
    agent: { prompt: "review item \${{ item }}", model: gpt-4o-mini, provider: fake }
inputs:
  items: { type: string }
`,
  );
  for (const count of counts) {
    const items = JSON.stringify(Array.from({ length: count }, (_, i) => i));
    writeFileSync(join(dir, `items-${count}.json`), JSON.stringify({ items }));
  }
  writeFileSync(
    join(dir, 'bare-sdk.mjs'),
    `import OpenAI from ${JSON.stringify(join(REPO, 'node_modules/openai/index.mjs'))};
const count = Number(process.argv[3]);
const client = new OpenAI({ apiKey: ${JSON.stringify(API_KEY)}, baseURL: process.argv[2] });
let next = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'review item ' + i }] });
  }
}
await Promise.all(Array.from({ length: ${concurrency} }, worker));
`,
  );
  writeFileSync(
    join(dir, 'bare-fetch.mjs'),
    `const count = Number(process.argv[3]);
const url = process.argv[2] + '/chat/completions';
const headers = { 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer ' + ${JSON.stringify(API_KEY)} };
let next = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'review item ' + i }] });
    const response = await fetch(url, { method: 'POST', headers, body });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    JSON.parse(await response.text());
  }
}
await Promise.all(Array.from({ length: ${concurrency} }, worker));
`,
  );
}

// A fan-out of agent calls against a local OpenAI-compatible server, killed midway and resumed: the
// server's own request log proves that no replayed call reached it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import type { FakeServer } from '../fakes/openai-server.js';
import { cliAsync, exited, journalLines, lastJson, workspace } from './cli-helpers.js';

const WORKFLOW = `
name: fan-review
defaults: { provider: openai, model: gpt-4.1-mini, retries: 0, timeout: 30s }
steps:
  - id: review
    for-each: \${{ fromJSON('[0,1,2,3,4,5,6,7,8,9,10,11]') }}
    concurrency: 2
    agent: { prompt: "review item \${{ item }}." }
  - id: summary
    agent: { prompt: "summarize \${{ join(steps.review.outputs.*.text, ' / ') }}" }
outputs:
  summary: \${{ steps.summary.outputs.text }}
`;

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: 'test-key' });
});
afterAll(async () => {
  await server.close();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `timed out waiting for ${what}: ${JSON.stringify(server.requests.map((r) => [r.prompt, r.answered]))}`,
  );
}

describe('kill -9 during a fan-out of provider calls, then resume', () => {
  it('replays every journaled call without a request, and asks the server only for the rest', async () => {
    const dir = workspace({ 'review.yml': WORKFLOW });
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test-key' };
    // Two items hang: both workers (concurrency 2) get stuck there, with items 0-4 and 6-8 answered.
    server.fault({ hang: true, match: 'review item 5.' });
    server.fault({ hang: true, match: 'review item 9.' });

    const child = cliAsync(dir, ['run', 'review.yml', '--run-id', 'k'], env);
    const done = exited(child);
    // Both hanging requests must have arrived (and used up their faults) before the kill.
    await until(
      () =>
        server.requests.length === 10 && server.requests.filter((request) => request.answered).length === 8,
      '8 answers and 2 hanging requests',
    );
    await until(
      () => journalLines(dir, 'k').filter((event) => event.t === 'call').length === 8,
      '8 journaled calls',
    );
    child.kill('SIGKILL');
    await done;

    const firstRun = server.requests.length;
    const answeredBefore = new Set(
      server.requests.filter((request) => request.answered).map((r) => r.prompt),
    );
    expect(answeredBefore.size).toBe(8);

    // Not spawnSync: the fake server lives in this process and must keep answering.
    const resumed = await exited(cliAsync(dir, ['run', 'review.yml', '--resume', 'k', '--json'], env));
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = lastJson(resumed.stdout);
    expect(result).toMatchObject({ status: 'succeeded', calls: { live: 5, replayed: 8, failed: 0 } });

    const secondRun = server.requests.slice(firstRun).map((request) => request.prompt);
    expect(secondRun).toHaveLength(5);
    for (const prompt of secondRun) expect(answeredBefore.has(prompt), prompt).toBe(false);
    expect(secondRun.slice(0, 4).sort()).toEqual([
      'review item 10.',
      'review item 11.',
      'review item 5.',
      'review item 9.',
    ]);

    const summary = (result.outputs as { summary: string }).summary;
    for (let item = 0; item < 12; item++) expect(summary).toContain(`echo: review item ${item}.`);
    // Live spending and what replay saved are both reported.
    expect((result.usage as { inputTokens: number }).inputTokens).toBeGreaterThan(0);
    expect((result.saved as { inputTokens: number }).inputTokens).toBeGreaterThan(0);
  });
});

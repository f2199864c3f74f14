// Ctrl-C cutting a streamed answer, end to end: a real `reprise run` process against a fake OpenAI server
// that sends the first piece of a streamed answer and then stalls. SIGINT stops the run; the piece is
// never journaled as a success, and a resume asks the provider again and gets the whole answer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeServer } from '../fakes/openai-server.js';
import { cliAsync, exited, journalLines, lastJson, workspace } from './cli-helpers.js';

const ANSWER = 'The answer is: DO NOT deploy, because the tests fail';
let server: FakeServer;

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: 'test-key' });
  server.respond(() => ({ text: ANSWER }));
});
afterAll(async () => {
  await server.close();
});

const WORKFLOW = `
name: stream-cut
providers:
  fake: { type: openai, stream: true, timeout: 60s }
steps:
  - id: decide
    retries: 0
    agent: { provider: fake, model: gpt-4o, prompt: "deploy?" }
outputs:
  decision: \${{ steps.decide.outputs.text }}
`;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('SIGINT to the CLI in the middle of a streamed answer', () => {
  it('journals no success, exits 130, and the resume calls the provider again for the whole answer', async () => {
    const dir = workspace({ 'w.yml': WORKFLOW });
    const env = { OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: server.url };
    server.fault({ cut: 'stall' });
    const child = cliAsync(dir, ['run', 'w.yml', '--run-id', 's', '--json'], env);
    const done = exited(child);
    // The server has sent the first piece of the answer and stalls; give the client time to read it.
    await until(() => server.requests.length === 1, 'the streamed request');
    await new Promise((resolve) => setTimeout(resolve, 400));
    child.kill('SIGINT');
    const cut = await done;
    expect(cut.code).toBe(130);
    const events = journalLines(dir, 's');
    expect(events.filter((event) => event.t === 'call')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ t: 'end', status: 'cancelled' });
    const journal = readFileSync(join(dir, '.reprise/runs/s/journal.jsonl'), 'utf8');
    expect(journal).not.toContain('DO NOT');

    const resumed = await exited(cliAsync(dir, ['run', 'w.yml', '--resume', 's', '--json'], env));
    expect(resumed.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(lastJson(resumed.stdout)).toMatchObject({
      status: 'succeeded',
      calls: { live: 1, replayed: 0 },
      outputs: { decision: ANSWER },
    });
  }, 60_000);
});

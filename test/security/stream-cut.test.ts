// A streamed answer is a result only when the provider says it finished. Cut by a timeout, an abort
// (Ctrl-C) or a dropped connection, the fragment is a failure, and nothing is journaled as a success.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callAgent } from '../../src/agents/index.js';
import type { ProviderDef } from '../../src/workflow/types.js';
import { startFakeOpenAI, type FakeServer } from '../fakes/openai-server.js';
import { callErrorOf, makeContext, makeRequest } from '../agents/helpers.js';
import { load, run } from '../engine/harness.js';

const KEY = 'sk-test-stream';
let fake: FakeServer;
const streaming: ProviderDef = { name: 'openai', type: 'openai', stream: true };
const env = () => ({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: fake.url });
const PARTIAL = { text: 'The answer is: DO NOT deploy, because the tests fail' };

beforeEach(async () => {
  fake = await startFakeOpenAI({ apiKey: KEY });
  fake.respond(() => PARTIAL);
});
afterEach(async () => {
  await fake.close();
});

describe('a cut streamed answer is a failure', () => {
  it('cut by the timeout: recoverable, retried as a timeout', async () => {
    fake.fault({ cut: 'stall' });
    const error = await callErrorOf(
      callAgent(makeRequest(streaming), makeContext({ env: env(), timeoutMs: 300 })),
    );
    expect(error.errorClass).toBe('recoverable');
    expect(error.message).toContain('did not answer within 300 ms');
  });

  it('cut by an abort (Ctrl-C): the call is aborted, not answered', async () => {
    fake.fault({ cut: 'stall' });
    const controller = new AbortController();
    const call = callAgent(makeRequest(streaming), makeContext({ env: env(), signal: controller.signal }));
    // Abort once the first chunk has been sent.
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort(new Error('SIGINT'));
    const error = await callErrorOf(call);
    expect(error.message).toMatch(/stopped|aborted|cancel/i);
  });

  it('a connection that ends without a finish reason: recoverable, never the fragment', async () => {
    fake.fault({ cut: 'close' });
    const error = await callErrorOf(callAgent(makeRequest(streaming), makeContext({ env: env() })));
    expect(error.errorClass).toBe('recoverable');
    expect(error.message).toContain('ended before the provider said it finished');
  });

  it('a whole stream is still an answer', async () => {
    const result = await callAgent(makeRequest(streaming), makeContext({ env: env() }));
    expect(result.text).toBe(PARTIAL.text);
  });
});

describe('through the engine, nothing cut is journaled as a success', () => {
  const workflow = load(`
name: cut
providers:
  fake: { type: openai, base-url: URL, stream: true, timeout: 300ms }
steps:
  - id: decide
    retries: 0
    agent: { provider: fake, model: gpt-4o, prompt: "deploy?" }
`);

  const withUrl = () => {
    const provider = workflow.providers['fake'];
    if (provider) provider.baseUrl = fake.url;
    return workflow;
  };

  it.each(['stall', 'close'] as const)('cut: %s', async (cut) => {
    fake.fault({ cut, times: 5 });
    const result = await run(withUrl(), { env: env(), agent: callAgent });
    expect(result.status).toBe('failed');
    const calls = result.journal.events.filter((event) => event.t === 'call');
    expect(calls).toEqual([]);
    expect(JSON.stringify(result.journal.events)).not.toContain('DO NOT');
  });

  it('cancelled mid-stream (SIGINT): cancelled, no call journaled', async () => {
    fake.fault({ cut: 'stall', times: 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const slow = { ...withUrl() };
    const provider = slow.providers['fake'];
    if (provider) provider.timeoutMs = 60_000;
    const result = await run(slow, { env: env(), agent: callAgent, signal: controller.signal });
    if (provider) provider.timeoutMs = 300;
    expect(result.status).toBe('cancelled');
    expect(result.journal.events.filter((event) => event.t === 'call')).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callAgent } from '../../src/agents/index.js';
import type { ProviderDef } from '../../src/workflow/types.js';
import { startFakeAnthropic, type FakeServer } from '../fakes/anthropic-server.js';
import { callErrorOf, makeContext, makeRequest, SEVERITY_SCHEMA } from './helpers.js';

const KEY = 'sk-ant-test';
let fake: FakeServer;
const provider: ProviderDef = { name: 'anthropic', type: 'anthropic' };
const env = () => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url });
const request = (overrides: Parameters<typeof makeRequest>[1] = {}) =>
  makeRequest(provider, { model: 'claude-sonnet-4-5', ...overrides });

beforeEach(async () => {
  fake = await startFakeAnthropic({ apiKey: KEY });
});
afterEach(async () => {
  await fake.close();
});

describe('anthropic provider', () => {
  it('sends system, prompt and a default max_tokens, and counts cache reads and writes as input', async () => {
    fake.respond(() => ({
      text: 'hi!',
      model: 'claude-sonnet-4-5-20250929',
      usage: { input: 1000, output: 100, cached: 600, cacheWrite: 100 },
    }));
    const result = await callAgent(
      request({ system: 'be brief', temperature: 0 }),
      makeContext({ env: env() }),
    );
    expect(result.text).toBe('hi!');
    expect(result.model).toBe('claude-sonnet-4-5-20250929');
    // sonnet 4.x: $3 in, $15 out, $0.30 cache read, cache write at 1.25x input:
    // 300*3 + 100*3.75 + 600*0.3 + 100*15 = 2955 per million
    expect(result.usage).toEqual({
      inputTokens: 1000,
      outputTokens: 100,
      cachedInputTokens: 600,
      costUsd: 0.002955,
    });
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/messages');
    // The SDK picks the header (x-api-key or a bearer token); the fake rejects any other key.
    expect(sent?.headers['x-api-key'] ?? sent?.headers.authorization).toContain(KEY);
    expect(sent?.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'be brief',
      temperature: 0,
      messages: [{ role: 'user', content: 'say hi' }],
    });
  });

  it('honors maxTokens and a provider base URL', async () => {
    await callAgent(
      makeRequest(
        { name: 'gateway', type: 'anthropic', baseUrl: fake.url, apiKeyEnv: 'GW_KEY' },
        { model: 'claude-haiku-4-5', maxTokens: 64 },
      ),
      makeContext({ env: { GW_KEY: KEY } }),
    );
    expect(fake.requests[0]?.body).toMatchObject({ max_tokens: 64, model: 'claude-haiku-4-5' });
  });

  it('instructs the schema, parses the fenced JSON, and validates it', async () => {
    const result = await callAgent(
      request({ system: 'review', schema: SEVERITY_SCHEMA }),
      makeContext({ env: env() }),
    );
    expect(result.json).toEqual({ severity: 'none', summary: 'summary', score: 1, blocking: true });
    expect(result.text).toMatch(/^```json\n/);
    expect(fake.requests[0]?.system).toMatch(/^review\n\nAnswer with a single JSON value/);
    expect(fake.requests[0]?.system).toContain('"severity"');
  });

  it('corrects a non-conforming answer once, in a follow-up turn', async () => {
    fake.fault({ nonConforming: true });
    const result = await callAgent(request({ schema: SEVERITY_SCHEMA }), makeContext({ env: env() }));
    expect(result.json).toMatchObject({ severity: 'none' });
    const retry = fake.requests[1]?.body as { messages: Array<{ role: string; content: string }> };
    expect(retry.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(retry.messages[2]?.content).toContain("must have required property 'summary'");
  });

  it('fails fatally when the corrected answer is still wrong', async () => {
    fake.fault({ nonConforming: true, times: 2 });
    const error = await callErrorOf(
      callAgent(request({ schema: SEVERITY_SCHEMA }), makeContext({ env: env() })),
    );
    expect(error.errorClass).toBe('fatal');
    expect(error.message).toContain("must have required property 'severity'");
  });

  it('529 overloaded and 429 are recoverable, with retry-after', async () => {
    fake.fault({ status: 529, message: 'Overloaded' });
    const overloaded = await callErrorOf(callAgent(request(), makeContext({ env: env() })));
    expect(overloaded).toMatchObject({ errorClass: 'recoverable', status: 529 });
    expect(overloaded.message).toContain('overloaded');
    fake.fault({ status: 429, retryAfter: 3 });
    const limited = await callErrorOf(callAgent(request(), makeContext({ env: env() })));
    expect(limited).toMatchObject({ errorClass: 'recoverable', retryAfterMs: 3000 });
  });

  it('a malformed body is recoverable', async () => {
    fake.fault({ malformed: true });
    const error = await callErrorOf(callAgent(request(), makeContext({ env: env() })));
    expect(error.errorClass).toBe('recoverable');
    expect(error.message).toContain('upstream proxy error');
  });

  it('a hang is cut off by the timeout and by an abort', async () => {
    fake.fault({ hang: true, times: 2 });
    const timedOut = await callErrorOf(callAgent(request(), makeContext({ env: env(), timeoutMs: 200 })));
    expect(timedOut.errorClass).toBe('recoverable');
    await vi.waitFor(() => expect(fake.requests[0]?.closedEarly).toBe(true));

    const controller = new AbortController();
    const pending = callErrorOf(callAgent(request(), makeContext({ env: env(), signal: controller.signal })));
    await vi.waitFor(() => expect(fake.requests).toHaveLength(2));
    controller.abort();
    expect((await pending).aborted).toBe(true);
    await vi.waitFor(() => expect(fake.requests[1]?.closedEarly).toBe(true));
  });

  it('a missing key, a rejected key and an unknown model say what to do', async () => {
    const missing = await callErrorOf(callAgent(request(), makeContext({ env: {} })));
    expect(missing.message).toBe(
      'ANTHROPIC_API_KEY is not set: export it, or set api-key-env on provider "anthropic"',
    );

    const rejected = await callErrorOf(
      callAgent(request(), makeContext({ env: { ANTHROPIC_API_KEY: 'nope', ANTHROPIC_BASE_URL: fake.url } })),
    );
    expect(rejected).toMatchObject({ errorClass: 'fatal', status: 401 });
    expect(rejected.message).toContain('rejected the API key from ANTHROPIC_API_KEY');

    await fake.close();
    fake = await startFakeAnthropic({ apiKey: KEY, models: ['claude-haiku-4-5'] });
    const unknown = await callErrorOf(
      callAgent(request({ model: 'claude-sonet-4-5' }), makeContext({ env: env() })),
    );
    expect(unknown).toMatchObject({ errorClass: 'fatal', status: 404 });
    expect(unknown.message).toContain('model "claude-sonet-4-5"');
    expect(unknown.message).toContain('provider "anthropic"');
  });

  it('accepts ANTHROPIC_AUTH_TOKEN as a bearer token', async () => {
    await callAgent(
      request(),
      makeContext({ env: { ANTHROPIC_AUTH_TOKEN: KEY, ANTHROPIC_BASE_URL: fake.url } }),
    );
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });
});

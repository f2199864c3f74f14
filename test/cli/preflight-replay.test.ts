// The provider preflight asks only for what a live call may need (issue 13): a resume that replays every
// call needs no key, while a resume that must run even one call live still fails at once, listing
// everything missing (whether a provider's calls are all journaled cannot be told before replaying).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/common.js';
import { startFakeAnthropic } from '../fakes/anthropic-server.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { reprise, scratch } from './helpers.js';

const WORKFLOW = `
name: two-providers
inputs:
  open: { type: boolean, default: true }
steps:
  - id: draft
    agent: { prompt: draft it, provider: openai, model: gpt-4.1-mini }
  - id: gate
    if: \${{ inputs.open }}
    run: |
      echo ran >> gate.log
      test -f ok
  - id: review
    agent: { prompt: review it, provider: anthropic, model: claude-haiku-4-5 }
outputs:
  review: \${{ steps.review.outputs.text }}
`;

let openai: FakeServer;
let anthropic: FakeServer;
beforeAll(async () => {
  openai = await startFakeOpenAI();
  anthropic = await startFakeAnthropic();
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
});

const keys = () => ({
  OPENAI_BASE_URL: openai.url,
  OPENAI_API_KEY: 'k',
  ANTHROPIC_BASE_URL: anthropic.url,
  ANTHROPIC_API_KEY: 'k',
});
const gateRuns = (dir: string) => readFileSync(join(dir, 'gate.log'), 'utf8').split('\n').length - 1;

describe('preflight on resume', () => {
  it('a resume that replays every call needs no key', async () => {
    const dir = scratch({ 'w.yml': WORKFLOW, ok: '' });
    const first = await reprise(dir, ['run', 'w.yml', '--run-id', 'r1'], keys());
    expect(first.code, first.err).toBe(0);
    const requests = openai.requests.length + anthropic.requests.length;

    const again = await reprise(dir, ['run', 'w.yml', '--resume', 'r1', '--json']);
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ status: 'succeeded', calls: { live: 0, replayed: 3 } });
    expect(openai.requests.length + anthropic.requests.length).toBe(requests);

    // A condition now skips the run step; the rest is journaled: still no key needed.
    const skipped = await reprise(dir, ['run', 'w.yml', '--resume', 'r1', '--input', 'open=false', '--json']);
    expect(skipped.code, skipped.err).toBe(0);
    expect(JSON.parse(skipped.out)).toMatchObject({ calls: { live: 0, replayed: 2, skipped: 1 } });
    expect(gateRuns(dir)).toBe(1);
  });

  it('a resume that must run one call live fails at once, listing every missing key, and runs nothing', async () => {
    const dir = scratch({ 'w.yml': WORKFLOW });
    const first = await reprise(dir, ['run', 'w.yml', '--run-id', 'r1'], keys());
    expect(first.code).toBe(1);
    expect(gateRuns(dir)).toBe(1);

    // The gate would run again before review: nothing proves review replays, so both keys are needed,
    // openai's too (draft is journaled, but only a replay to the end would show nothing else reaches it).
    const again = await reprise(dir, ['run', 'w.yml', '--resume', 'r1']);
    expect(again.code).toBe(2);
    expect(again.err).toContain('2 providers are not ready (nothing was run):');
    expect(again.err).toContain('OPENAI_API_KEY is not set');
    expect(again.err).toContain('ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN is not set');
    expect(gateRuns(dir)).toBe(1);
  });
});

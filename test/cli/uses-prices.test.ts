// `limits.usd` with an unpriced model inside a `uses:` callee (issue 10): `validate` warns (or errs with
// on-unknown-cost: fail) at the callee's own line, and the run warns at start or refuses to start.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reprise, scratch } from './helpers.js';

const CALLEE = `
name: inner
steps:
  - id: mark
    run: echo ran > marker
  - id: think
    if: \${{ false }}
    agent: { prompt: hi, model: house-model, provider: openai }
`;

const caller = (limits: string) => `
name: outer
limits: ${limits}
steps:
  - id: sub
    uses: ./inner.yml
`;

// Calls to a custom endpoint need no key: the preflight stays out of the way.
const env = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };

describe('the price check reaches uses: callees', () => {
  it('warns at validate and at run start (on-unknown-cost: warn)', async () => {
    const dir = scratch({ 'w.yml': caller('{ usd: 1 }'), 'inner.yml': CALLEE });
    const validated = await reprise(dir, ['validate', 'w.yml']);
    expect(validated.code, validated.err).toBe(0);
    expect(validated.err).toMatch(
      /inner\.yml:6:5: warning: step "sub\/think": model "house-model" has no known price/,
    );
    const ran = await reprise(dir, ['run', 'w.yml'], env);
    expect(ran.code, ran.err).toBe(0);
    expect(ran.out + ran.err).toContain('step "sub/think": model "house-model" has no known price');
  });

  it('refuses to start with on-unknown-cost: fail, and validate says so as an error', async () => {
    const dir = scratch({ 'w.yml': caller('{ usd: 1, on-unknown-cost: fail }'), 'inner.yml': CALLEE });
    const validated = await reprise(dir, ['validate', 'w.yml']);
    expect(validated.code).toBe(2);
    expect(validated.err).toMatch(/inner\.yml:6:5: error: step "sub\/think": model "house-model"/);
    const ran = await reprise(dir, ['run', 'w.yml'], env);
    expect(ran.code).toBe(1);
    expect(ran.out + ran.err).toMatch(
      /step "sub\/think": model "house-model" has no known price.*on-unknown-cost: fail/,
    );
    expect(existsSync(join(dir, 'marker'))).toBe(false);
  });

  it('a price in the caller covers the callee (prices come from the caller)', async () => {
    const dir = scratch({
      'w.yml': `${caller('{ usd: 1, on-unknown-cost: fail }')}pricing:\n  house-model: { input: 1, output: 2 }\n`,
      'inner.yml': CALLEE,
    });
    const validated = await reprise(dir, ['validate', 'w.yml']);
    expect(validated.code, validated.err).toBe(0);
    expect(validated.err).not.toContain('house-model');
  });
});

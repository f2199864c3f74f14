// `tool-result-limit` cuts a tool's result: the cut must not split a secret so that its first characters
// escape redaction and reach the model and the journal (issue 13).
import { describe, expect, it } from 'vitest';
import { limitResult } from '../../../src/agents/tools/index.js';
import { Secrets } from '../../../src/journal/secrets.js';

describe('the tool result limit', () => {
  it('never keeps the first characters of a secret the cut split', () => {
    const secrets = new Secrets();
    const secret = 'sk-live-0123456789abcdef';
    secrets.add(secret);
    const content = `${'x'.repeat(90)}${secret}${'y'.repeat(100)}`;
    const kept = limitResult(content, { limit: 100, redact: (text) => secrets.redact(text) });
    expect(kept).not.toContain(secret.slice(0, 4));
    expect(kept).toContain('[reprise: the result was cut at 100 of');
    expect(kept.startsWith(`${'x'.repeat(90)}***`)).toBe(true);
  });
});

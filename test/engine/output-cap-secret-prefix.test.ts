// A cut at the output cap may split a secret: the kept text (journaled) must not end with its first characters,
// in any form redaction knows (issue 13). Whole occurrences are redacted by the journal writer already.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAttempt } from '../../src/attempt.js';
import { emptyJournalRead } from '../../src/journal/reader.js';
import { Secrets } from '../../src/journal/secrets.js';
import { load } from './harness.js';

const CAP = 1024;
const SECRET = 'sk-live-0123456789abcdef';

describe('a cut that splits a secret', () => {
  it('Secrets.cutEnd drops an end that begins a secret or one of its encoded forms, and nothing else', () => {
    const secrets = new Secrets();
    secrets.add(SECRET);
    expect(secrets.cutEnd(`hello ${SECRET.slice(0, 10)}`)).toBe('hello ');
    const base64 = Buffer.from(SECRET).toString('base64');
    expect(secrets.cutEnd(`auth: ${base64.slice(0, 12)}`)).toBe('auth: ');
    expect(secrets.cutEnd('hello world')).toBe('hello world');
    // A whole occurrence is not a prefix: it is left to redaction.
    expect(secrets.cutEnd(`x ${SECRET}`)).toBe(`x ${SECRET}`);
  });

  for (const spill of [true, false]) {
    it(`a run step cut in the middle of a secret journals none of it (${spill ? 'with' : 'without'} a spill file)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'reprise-cut-'));
      const journalPath = join(dir, 'journal.jsonl');
      const { result } = await runAttempt({
        workflow: load(`
name: cut
steps:
  - id: print
    run: |
      printf '%01014d' 0
      printf '%s' "$MY_TOKEN"
      printf '%01000d' 0
`),
        runId: 'r',
        journalPath,
        previous: emptyJournalRead(journalPath),
        workspace: dir,
        env: { PATH: process.env.PATH, MY_TOKEN: SECRET },
        runOutput: { maxBytes: CAP, ...(spill && { dir }) },
      });
      expect(result.status).toBe('succeeded');
      const journal = readFileSync(journalPath, 'utf8');
      // The cap keeps 1014 zeros and the secret's first 10 characters; these must not reach the journal.
      expect(journal).not.toContain(SECRET.slice(0, 4));
      expect(journal).toContain('0'.repeat(1014));
    });
  }
});

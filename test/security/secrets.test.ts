// Secrets never reach a journal, a result or a log: declared credential-like env vars, short secret
// inputs, and the encoded spellings of a secret; a resume without a secret input it was given is refused.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputsError, runAttempt } from '../../src/attempt.js';
import { emptyJournalRead, readJournalFile } from '../../src/journal/reader.js';
import { Secrets } from '../../src/journal/secrets.js';
import { loadWorkflowFile } from '../../src/workflow/loader.js';
import { load } from '../engine/harness.js';

const SECRET = 'p@ss word/42';
const workflow = load(`
name: secrets
inputs:
  deploy: { type: string }
  pin: { type: string, secret: true }
  extra: { type: string, secret: true }
steps:
  - id: show
    env: { DEPLOY_TOKEN: "\${{ inputs.deploy }}" }
    run: |
      echo "plain $DEPLOY_TOKEN"
      printf '%s' "$DEPLOY_TOKEN" | base64
      printf '%s' "$DEPLOY_TOKEN" | od -An -tx1 | tr -d ' \\n'; echo
      python3 -c 'import os, urllib.parse; print(urllib.parse.quote(os.environ["DEPLOY_TOKEN"], safe=""))'
outputs:
  out: \${{ steps.show.outputs.stdout }}
`);

async function attempt(dir: string, given: Record<string, unknown> | undefined) {
  const journalPath = join(dir, 'journal.jsonl');
  return runAttempt({
    workflow,
    runId: 'r',
    journalPath,
    previous: given ? emptyJournalRead(journalPath) : await readJournalFile(journalPath),
    given: given ? { values: given, fromStrings: false } : undefined,
    workspace: dir,
    env: { PATH: process.env.PATH },
  });
}

describe('secrets', () => {
  it('a declared DEPLOY_TOKEN, its base64, hex and URL-encoded forms, and a 2-character secret input stay out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reprise-secrets-'));
    const { result } = await attempt(dir, { deploy: SECRET, pin: '42', extra: 'xyzzy-extra' });
    expect(result.status).toBe('succeeded');
    const lines = readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n');
    // The whole journal, the run's first line included: `deploy` feeds DEPLOY_TOKEN, so it is a secret.
    const journal = lines.join('\n');
    const encoded = [
      SECRET,
      Buffer.from(SECRET).toString('base64'),
      Buffer.from(SECRET).toString('hex'),
      encodeURIComponent(SECRET),
      'xyzzy-extra',
    ];
    for (const form of encoded) {
      expect(journal).not.toContain(form);
      expect(JSON.stringify(result)).not.toContain(form);
    }
    const header = JSON.parse(lines[0] ?? '') as { inputs: Record<string, unknown> };
    expect(header.inputs['deploy']).toBe('***');
    expect(header.inputs['pin']).toBe('***');
    expect(header.inputs['extra']).toBe('***');
    expect(String(result.outputs.out)).toContain('plain ***');
  });

  it('a resume without a secret input the run was given is refused, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reprise-secrets-'));
    await attempt(dir, { deploy: 'x-deploy', extra: 'xyzzy-extra' });
    const error = await attempt(dir, undefined).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputsError);
    // `deploy` is not declared secret, but it feeds DEPLOY_TOKEN: it was never stored either.
    expect((error as Error).message).toContain('secret inputs deploy, extra');
    expect((error as Error).message).toContain('--input extra=...');
  });

  it('a secret input never given is not asked for on resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reprise-secrets-'));
    await attempt(dir, {});
    const { result } = await attempt(dir, undefined);
    expect(result.status).toBe('succeeded');
    expect(result.calls.replayed).toBe(1);
  });

  it('redacts padded and unpadded base64, base64url, hex in both cases and percent-encodings', () => {
    const secrets = new Secrets();
    secrets.add('ab?c>d~');
    const bytes = Buffer.from('ab?c>d~');
    for (const form of [
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      encodeURIComponent('ab?c>d~'),
    ]) {
      expect(secrets.redact(`before ${form} after`)).toBe('before *** after');
    }
  });

  it.each(['in the caller', 'in a uses: callee'])(
    'a secret-named env entry and a secret input %s are redacted the same way, in the run line too',
    async (where) => {
      const dir = mkdtempSync(join(tmpdir(), 'reprise-secrets-'));
      // The same steps, declared in the caller itself or in a workflow it calls with the values.
      const body = (token: string, pin: string) => `env:
  DEPLOY_TOKEN: "\${{ ${token} }}"
steps:
  - id: show
    env: { PIN: "\${{ ${pin} }}" }
    run: |
      echo "token $DEPLOY_TOKEN"
      printf '%s' "$DEPLOY_TOKEN" | base64
      echo "pin $PIN"
`;
      const files: Record<string, string> =
        where === 'in the caller'
          ? {
              'caller.yml': `name: caller
inputs:
  deploy: { type: string }
  pin: { type: string, secret: true }
${body('inputs.deploy', 'inputs.pin')}outputs:
  out: \${{ steps.show.outputs.stdout }}
`,
            }
          : {
              'caller.yml': `name: caller
inputs:
  deploy: { type: string }
  code: { type: string }
steps:
  - id: call
    uses: ./callee.yml
    with: { token: "\${{ inputs.deploy }}", pin: "\${{ inputs.code }}" }
outputs:
  out: \${{ steps.call.outputs.out }}
`,
              'callee.yml': `name: callee
inputs:
  token: { type: string }
  pin: { type: string, secret: true }
${body('inputs.token', 'inputs.pin')}outputs:
  out: \${{ steps.show.outputs.stdout }}
`,
            };
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      const loaded = await loadWorkflowFile(join(dir, 'caller.yml'));
      if (!loaded.workflow) throw new Error(JSON.stringify(loaded.problems));
      const given =
        where === 'in the caller'
          ? { deploy: SECRET, pin: 'pin-0042' }
          : { deploy: SECRET, code: 'pin-0042' };
      const logged: string[] = [];
      const { result } = await runAttempt({
        workflow: loaded.workflow,
        runId: 'r',
        journalPath: join(dir, 'journal.jsonl'),
        previous: emptyJournalRead(join(dir, 'journal.jsonl')),
        given: { values: given, fromStrings: false },
        workspace: dir,
        env: { PATH: process.env.PATH },
        observer: {
          stepOutput: ({ line }) => logged.push(line),
          callFinished: (report) => logged.push(JSON.stringify(report)),
        },
      });
      expect(result.status).toBe('succeeded');
      // The whole journal, the run's first line included: the caller's inputs feed a credential (directly,
      // or through the callee's input that feeds one or is declared secret), so they are secrets too.
      const journal = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
      const header = JSON.parse(journal.split('\n')[0] ?? '') as { inputs: Record<string, unknown> };
      expect(Object.values(header.inputs)).toEqual(['***', '***']);
      expect(loaded.warnings?.map((w) => w.message).join('\n')).toContain('input "deploy" feeds');
      for (const form of [SECRET, Buffer.from(SECRET).toString('base64'), 'pin-0042']) {
        expect(journal).not.toContain(form);
        expect(JSON.stringify(result)).not.toContain(form);
        expect(logged.join('\n')).not.toContain(form);
      }
      expect(result.outputs.out).toBe('token ***\n***\npin ***\n');
    },
  );
});

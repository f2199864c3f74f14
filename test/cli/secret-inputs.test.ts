// An input that feeds a credential-named env var is a secret even when it does not say so: `reprise run`
// never records or prints its value (journal, its first line included, result.json, summary, output), and
// `validate` says where to declare it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, scratch } from './harness.js';

const SECRET = 'hunter2-deploy-credential';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** No file under the run store of `root` holds the secret; returns the files looked at. */
function expectNoSecretStored(root: string, label = ''): string[] {
  const files = filesUnder(join(root, '.reprise'));
  for (const file of files) expect(readFileSync(file, 'utf8'), `${label}${file}`).not.toContain(SECRET);
  return files;
}

describe('an input feeding a secret-named env var', () => {
  it('never reaches the run directory or the output of reprise run; validate warns at its place', async () => {
    const root = scratch({
      'deploy.yml': `name: deploy
inputs:
  token: { type: string }
env:
  DEPLOY_TOKEN: \${{ inputs.token }}
steps:
  - id: show
    env: { PLAIN: "\${{ inputs.token }}" }
    run: |
      echo "token $DEPLOY_TOKEN"
      echo "plain $PLAIN"
outputs:
  out: \${{ steps.show.outputs.stdout }}
`,
    });
    const run = await cli(
      root,
      'run',
      'deploy.yml',
      '--input',
      `token=${SECRET}`,
      '--run-id',
      'r1',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(run.out + run.err).not.toContain(SECRET);
    const files = expectNoSecretStored(root);
    expect(files.some((f) => f.endsWith('journal.jsonl'))).toBe(true);
    expect(files.some((f) => f.endsWith('result.json'))).toBe(true);
    expect(run.out).toContain('token ***');

    // Resuming needs it again, as for a declared secret input.
    const resumed = await cli(root, 'run', 'deploy.yml', '--resume', 'r1');
    expect(resumed.code).toBe(2);
    expect(resumed.err).toContain('--input token=...');

    const validated = await cli(root, 'validate', 'deploy.yml');
    expect(validated.out + validated.err).toMatch(
      /deploy\.yml:5:17: .*input "token" feeds the env var DEPLOY_TOKEN.*declare it "secret: true"/,
    );
  });

  it('is every input when the credential reads `inputs` by a computed name or as a whole', async () => {
    for (const credential of [
      `\${{ inputs[format('{0}', 'token')] }}`,
      `\${{ fromJSON(toJSON(inputs)).token }}`,
      `\${{ inputs.*[0] }}`,
    ]) {
      const root = scratch({
        'deploy.yml': `name: deploy
inputs:
  token: { type: string }
  region: { type: string }
env:
  DEPLOY_TOKEN: "${credential}"
steps:
  - id: show
    run: echo "token $DEPLOY_TOKEN in $REGION"
    env: { REGION: "\${{ inputs.region }}" }
`,
      });
      const run = await cli(
        root,
        'run',
        'deploy.yml',
        '--input',
        `token=${SECRET}`,
        '--input',
        'region=eu-west-9',
        '--run-id',
        'r1',
      );
      expect(run.code, credential).toBe(0);
      expect(run.out + run.err).not.toContain(SECRET);
      expectNoSecretStored(root, `${credential}: `);
      const validated = await cli(root, 'validate', 'deploy.yml');
      for (const input of ['token', 'region']) {
        expect(validated.out + validated.err, credential).toMatch(
          new RegExp(
            `input "${input}" feeds the env var DEPLOY_TOKEN \\(which reads \`inputs\` as a whole or by a computed name\\)`,
          ),
        );
      }
    }
  });
});

describe('an input read by a step whose output feeds a credential', () => {
  const INDIRECT = `name: indirect
inputs: { token: { type: string } }
steps:
  - id: a
    run: echo "$T"
    env: { T: "\${{ inputs.token }}" }
  - id: b
    run: echo "deploying with $DEPLOY_TOKEN"
    env: { DEPLOY_TOKEN: "\${{ steps.a.outputs.stdout }}" }
`;

  it('is a secret input: never stored or printed, named by validate, given again on resume', async () => {
    const root = scratch({ 'indirect.yml': INDIRECT });
    const run = await cli(
      root,
      'run',
      'indirect.yml',
      '--input',
      `token=${SECRET}`,
      '--run-id',
      'r1',
      '--json',
    );
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out + run.err).not.toContain(SECRET);
    expect(expectNoSecretStored(root).some((f) => f.endsWith('journal.jsonl'))).toBe(true);

    const validated = await cli(root, 'validate', 'indirect.yml');
    expect(validated.code).toBe(0);
    expect(validated.err).toMatch(
      /indirect\.yml:6:15: warning: input "token" is read by step "a", whose output feeds the env var DEPLOY_TOKEN, so it is treated as a secret .*: declare it "secret: true", or "secret: false" if it is not part of the credential/,
    );

    const resumed = await cli(root, 'run', 'indirect.yml', '--resume', 'r1');
    expect(resumed.code).toBe(2);
    expect(resumed.err).toContain('--input token=...');
    const given = await cli(root, 'run', 'indirect.yml', '--resume', 'r1', '--input', `token=${SECRET}`);
    expect(given.code, given.out + given.err).toBe(0);
    expect(given.out + given.err).not.toContain(SECRET);
    expectNoSecretStored(root, 'after the resume: ');
  });
});

describe('a credential read from a step output', () => {
  const VAULT = (fetch: string) => `name: vault
inputs:
  fail: { type: string, default: "yes" }
steps:
  - id: vault
${fetch}
  - id: deploy
    env: { DEPLOY_TOKEN: "\${{ steps.vault.outputs.lines[0] }}", FAIL: "\${{ inputs.fail }}" }
    run: |
      test "$DEPLOY_TOKEN" = "${SECRET}" || { echo "wrong token" >&2; exit 7; }
      test "$FAIL" = "no" || exit 3
`;

  it('is warned about: the step that prints it is journaled in clear before the value is a secret', async () => {
    const root = scratch({ 'vault.yml': VAULT(`    run: echo "${SECRET}"`) });
    const validated = await cli(root, 'validate', 'vault.yml');
    expect(validated.code).toBe(0);
    expect(validated.err).toMatch(
      /vault\.yml:8:\d+: warning: the env var DEPLOY_TOKEN reads the output of step "vault", which the journal keeps in clear.*"::add-mask::<the value>".*"replay: false"/,
    );
    // What the warning is about: the journal holds the token.
    await cli(root, 'run', 'vault.yml', '--run-id', 'r');
    expect(readFileSync(join(root, '.reprise/runs/r/journal.jsonl'), 'utf8')).toContain(SECRET);
  });

  it('is not, once that step masks it and runs again in every attempt; a resume then gets the real value', async () => {
    const root = scratch({
      'vault.yml': VAULT(`    replay: false
    run: |
      echo "::add-mask::${SECRET}"
      echo "${SECRET}"`),
    });
    const validated = await cli(root, 'validate', 'vault.yml');
    expect(validated.out + validated.err).not.toContain('keeps in clear');
    expect((await cli(root, 'run', 'vault.yml', '--run-id', 'r')).code).toBe(1); // FAIL=yes
    const resumed = await cli(root, 'run', 'vault.yml', '--resume', 'r', '--input', 'fail=no');
    expect(resumed.code, resumed.out + resumed.err).toBe(0);
    expectNoSecretStored(root);
  });
});

// Which inputs the loader treats as secret because they reach a credential through a step's output: the
// inputs a step reads, when a credential reads that step's output, and so on back along the steps.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflowFile, loadWorkflowText } from '../../src/workflow/loader.js';
import type { LoadResult } from '../../src/workflow/load-result.js';

/** The inputs loaded as secret, and the warnings as `line:column: message`. */
function secrets(result: LoadResult): { secret: string[]; warnings: string[] } {
  expect(result.problems.map(formatProblem)).toEqual([]);
  return {
    secret: (result.workflow?.inputs ?? []).filter((input) => input.secret).map((input) => input.name),
    warnings: (result.warnings ?? []).map((p) => `${p.line}:${p.column}: ${p.message}`),
  };
}

const load = (yaml: string): { secret: string[]; warnings: string[] } =>
  secrets(loadWorkflowText(yaml, 'w.yml'));

const TREATED = 'so it is treated as a secret (redacted, never journaled, given again on resume)';
const OPT_OUT = 'declare it "secret: true", or "secret: false" if it is not part of the credential';

describe('an input read by a step whose output feeds a credential', () => {
  it('is a secret, with a warning where the step reads it that names the step and the credential', () => {
    const { secret, warnings } = load(`name: w
inputs:
  token: { type: string }
  other: { type: string }
steps:
  - id: a
    run: echo "$T"
    env: { T: "\${{ inputs.token }}" }
  - id: b
    run: deploy "$OTHER"
    env: { DEPLOY_TOKEN: "\${{ steps.a.outputs.stdout }}", OTHER: "\${{ inputs.other }}" }
`);
    expect(secret).toEqual(['token']);
    expect(warnings).toContain(
      `8:15: input "token" is read by step "a", whose output feeds the env var DEPLOY_TOKEN, ${TREATED}: ${OPT_OUT}`,
    );
    // The step that holds the credential is not one whose output feeds it.
    expect(warnings.join('\n')).not.toContain('"other"');
  });

  it("is a secret when the step reads it through the workflow's env, which every step runs with", () => {
    const { secret, warnings } = load(`name: w
inputs:
  token: { type: string }
  region: { type: string, secret: false }
env: { T: "\${{ inputs.token }}", R: "\${{ inputs.region }}" }
steps:
  - id: a
    run: echo "$T in $R"
  - id: b
    run: deploy
    env: { DEPLOY_TOKEN: "\${{ steps.a.outputs.stdout }}" }
`);
    expect(secret).toEqual(['token']);
    expect(warnings).toContain(
      `5:11: input "token" is read by step "a" (the workflow's env), whose output feeds the env var DEPLOY_TOKEN, ${TREATED}: ${OPT_OUT}`,
    );
    expect(warnings.join('\n')).not.toContain('"region"');
  });

  it('is a secret when it reaches the credential through several steps, each named', () => {
    const { secret, warnings } = load(`name: w
inputs:
  region: { type: string }
  unrelated: { type: string }
steps:
  - id: z
    run: vault read "$REGION"
    env: { REGION: "\${{ inputs.region }}" }
  - id: a
    run: echo "$Z" | jq -r .token
    env: { Z: "\${{ steps.z.outputs.stdout }}" }
  - id: side
    run: echo "$U"
    env: { U: "\${{ inputs.unrelated }}" }
  - id: b
    run: deploy
    env: { DEPLOY_TOKEN: "\${{ steps.a.outputs.stdout }}" }
`);
    expect(secret).toEqual(['region']);
    expect(warnings).toContain(
      `8:20: input "region" is read by step "z", whose output feeds step "a", whose output feeds the env var ` +
        `DEPLOY_TOKEN, ${TREATED}: ${OPT_OUT}`,
    );
  });

  it('is found in steps that read each other in a loop, each step visited once', () => {
    const { secret, warnings } = load(`name: w
inputs:
  seed: { type: string }
steps:
  - id: refine
    repeat:
      steps:
        - id: draft
          run: echo "$SEED $LAST"
          env: { SEED: "\${{ inputs.seed }}", LAST: "\${{ steps.critique.outputs.stdout }}" }
        - id: critique
          run: echo "$DRAFT"
          env: { DRAFT: "\${{ steps.draft.outputs.stdout }}" }
      until: steps.critique.outputs.stdout == 'ok'
      max: 3
  - id: use
    run: deploy
    env: { API_KEY: "\${{ steps.critique.outputs.stdout }}" }
`);
    expect(secret).toEqual(['seed']);
    expect(warnings.filter((w) => w.includes('is read by step'))).toEqual([
      `10:24: input "seed" is read by step "draft", whose output feeds step "critique", whose output feeds ` +
        `the env var API_KEY, ${TREATED}: ${OPT_OUT}`,
    ]);
  });

  it('is every input not declared "secret: false" when the step reads `inputs` whole or by a computed name', () => {
    for (const read of [
      `\${{ toJSON(inputs) }}`,
      `\${{ inputs[format('{0}', 'a')] }}`,
      `\${{ inputs.*[0] }}`,
    ]) {
      const { secret, warnings } = load(`name: w
inputs:
  a: { type: string }
  b: { type: number }
  env: { type: string, secret: false }
steps:
  - id: fetch
    run: echo "$ALL"
    env: { ALL: "${read}" }
  - id: deploy
    run: deploy
    env: { DEPLOY_TOKEN: "\${{ steps.fetch.outputs.stdout }}" }
`);
      expect(secret, read).toEqual(['a', 'b']);
      expect(warnings, read).toContain(
        `9:17: input "b" is read by step "fetch" (which reads \`inputs\` as a whole or by a computed name), ` +
          `whose output feeds the env var DEPLOY_TOKEN, ${TREATED}: ${OPT_OUT}`,
      );
    }
  });

  it('is read anywhere in the step: env, if, for-each, working-directory, agent, nested steps', () => {
    const shapes: Record<string, string> = {
      if: `    if: inputs.x == 'go'\n    run: echo fetched`,
      'if ${{ }}': `    if: \${{ inputs.x == 'go' }}\n    run: echo fetched`,
      'for-each': `    for-each: \${{ fromJSON(inputs.x) }}\n    run: echo "$ITEM"`,
      'working-directory': `    working-directory: \${{ inputs.x }}\n    run: cat token`,
      'agent prompt': `    agent: { prompt: "Token for \${{ inputs.x }}" }`,
      'agent system': `    agent: { prompt: "Token please", system: "You serve \${{ inputs.x }}" }`,
      parallel: `    parallel:\n      - id: inner\n        agent: { prompt: "\${{ inputs.x }}" }`,
      'repeat steps': `    repeat:\n      steps:\n        - id: inner\n          agent: { prompt: "\${{ inputs.x }}" }\n      until: "true"\n      max: 2`,
      'repeat until': `    repeat:\n      steps:\n        - id: inner\n          run: echo once\n      until: inputs.x == 'done'\n      max: 2`,
    };
    for (const [where, step] of Object.entries(shapes)) {
      const { secret, warnings } = load(`name: w
inputs:
  x: { type: string }
steps:
  - id: fetch
${step}
  - id: deploy
    run: deploy
    env: { DEPLOY_TOKEN: "\${{ steps.fetch.outputs.text }}" }
`);
      expect(secret, where).toEqual(['x']);
      expect(warnings.join('\n'), where).toMatch(/input "x" is read by step "fetch", whose output feeds/);
    }
  });

  it('is read in the `with:` of a `uses:` step', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reprise-secret-inputs-'));
    await writeFile(
      path.join(dir, 'fetch.yml'),
      'name: fetch\ninputs:\n  path: { type: string }\nsteps:\n  - id: read\n    run: echo "$P"\n' +
        '    env: { P: "${{ inputs.path }}" }\noutputs:\n  token: ${{ steps.read.outputs.stdout }}\n',
    );
    await writeFile(
      path.join(dir, 'w.yml'),
      `name: w
inputs:
  where: { type: string }
steps:
  - id: fetch
    uses: ./fetch.yml
    with: { path: "\${{ inputs.where }}" }
  - id: deploy
    run: deploy
    env: { DEPLOY_TOKEN: "\${{ steps.fetch.outputs.token }}" }
`,
    );
    const { secret, warnings } = secrets(await loadWorkflowFile(path.join(dir, 'w.yml')));
    expect(secret).toEqual(['where']);
    expect(warnings).toContain(
      `7:19: input "where" is read by step "fetch", whose output feeds the env var DEPLOY_TOKEN, ${TREATED}: ${OPT_OUT}`,
    );
  });

  it('is not, when declared "secret: false"; the input used as the credential itself still is', () => {
    const { secret, warnings } = load(`name: w
inputs:
  env: { type: string, secret: false }
  token: { type: string, secret: false }
  role: { type: string }
steps:
  - id: vault
    run: vault read "secret/$ENV/token" "$WHICH" "$ROLE"
    env: { ENV: "\${{ inputs.env }}", WHICH: "\${{ inputs.token }}", ROLE: "\${{ inputs.role }}" }
  - id: deploy
    run: deploy
    env:
      DEPLOY_TOKEN: "\${{ steps.vault.outputs.stdout }}"
      API_TOKEN: "\${{ inputs.token }}"
`);
    expect(secret).toEqual(['token', 'role']);
    expect(warnings.join('\n')).not.toContain('input "env"');
    expect(warnings.join('\n')).toContain('input "role" is read by step "vault"');
    expect(warnings).toContain(
      '14:18: input "token" feeds the env var API_TOKEN, so it is treated as a secret (redacted, never ' +
        'journaled, given again on resume): declare it "secret: true"',
    );
  });

  it('is left alone when no credential reads the step', () => {
    const { secret, warnings } = load(`name: w
inputs:
  x: { type: string }
steps:
  - id: a
    run: echo "$X"
    env: { X: "\${{ inputs.x }}" }
  - id: b
    run: echo "$NOTE"
    env: { NOTE: "\${{ steps.a.outputs.stdout }}" }
`);
    expect(secret).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

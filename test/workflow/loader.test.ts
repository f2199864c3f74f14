import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflowFile, loadWorkflowText } from '../../src/workflow/loader.js';
import type { StepDef, WorkflowDef } from '../../src/workflow/types.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const invalidDir = path.join(fixtures, 'invalid');
const invalidFiles = (await readdir(invalidDir)).filter((f) => f.endsWith('.yml')).sort();

function located(problems: { line: number; column: number; message: string }[]): string[] {
  return problems.map((p) => `${p.line}:${p.column}: ${p.message}`);
}

describe('invalid workflows are reported at file:line:column in plain language', () => {
  it('has a fixture for every check', () => {
    expect(invalidFiles.length).toBeGreaterThanOrEqual(45);
  });

  it.each(invalidFiles)('%s', async (name) => {
    const text = await readFile(path.join(invalidDir, name), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
    expect(expected.length, 'fixture lists its expected problems').toBeGreaterThan(0);
    const result = loadWorkflowText(text, name);
    expect(result.workflow).toBeUndefined();
    expect(located(result.problems)).toEqual(expected);
    for (const problem of result.problems) expect(problem.file).toBe(name);
  });
});

describe('a valid workflow becomes a typed definition', () => {
  const file = path.join(fixtures, 'valid', 'full.yml');
  const load = async (): Promise<WorkflowDef> => {
    const result = await loadWorkflowFile(file);
    expect(result.problems.map(formatProblem)).toEqual([]);
    if (!result.workflow) throw new Error('no workflow');
    return result.workflow;
  };
  const byId = (workflow: WorkflowDef): Map<string, StepDef> => {
    const map = new Map<string, StepDef>();
    const walk = (steps: StepDef[]): void => {
      for (const step of steps) {
        map.set(step.id, step);
        if (step.kind === 'parallel' || step.kind === 'repeat') walk(step.steps);
      }
    };
    walk(workflow.steps);
    return map;
  };

  it('keeps the file path and hashes the bytes', async () => {
    const workflow = await load();
    const bytes = await readFile(file);
    expect(workflow.file).toBe(path.resolve(file));
    expect(workflow.scriptHash).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(
      loadWorkflowText(bytes.toString('utf8'), path.join(path.dirname(file), 'x.yml')).workflow?.scriptHash,
    ).toBe(workflow.scriptHash);
  });

  it('converts top-level sections, durations to ms and kebab-case keys to camelCase', async () => {
    const workflow = await load();
    expect(workflow.name).toBe('full');
    expect(workflow.inputs).toEqual([
      { name: 'pr', type: 'number', required: true, secret: false, description: 'Pull request number' },
      {
        name: 'mode',
        type: 'enum',
        required: false,
        secret: false,
        default: 'fast',
        options: ['fast', 'thorough'],
      },
      { name: 'token', type: 'string', required: false, secret: true },
      { name: 'files', type: 'array', required: false, secret: false, default: ['a.ts', 'b.ts'] },
    ]);
    expect(workflow.env).toEqual({ PR: '${{ inputs.pr }}', VERBOSE: true });
    expect(workflow.providers['local']).toEqual({
      name: 'local',
      type: 'openai',
      baseUrl: 'http://localhost:8080/v1',
      apiKeyEnv: 'LOCAL_KEY',
      headers: { 'X-Team': 'reprise' },
      model: 'qwen',
      timeoutMs: 90_000,
    });
    expect(workflow.providers['claude-cli']).toEqual({
      name: 'claude-cli',
      type: 'command',
      preset: 'claude',
      command: 'claude',
      args: ['-p', '{prompt}'],
      output: 'json',
      workingDirectory: 'sub',
      baseDir: path.dirname(workflow.file),
      env: { CI: '1' },
    });
    expect(workflow.pricing).toEqual({ qwen: { input: 0.1, output: 0.2, cachedInput: 0.05 } });
    expect(workflow.defaults).toEqual({
      provider: 'local',
      model: 'qwen',
      timeoutMs: 30_000,
      retries: 2,
      concurrency: 3,
    });
    expect(workflow.limits).toEqual({ maxCalls: 50, tokens: 100_000, usd: 1.5, timeoutMs: 3_600_000 });
    expect(workflow.phases).toEqual({
      analyse: { name: 'analyse', model: 'big', provider: 'anthropic', description: 'Read the change' },
    });
    expect(workflow.outputs).toEqual({
      severity: '${{ steps.review.outputs }}',
      draft: '${{ steps.draft.outputs.text }}',
      literal: 42,
    });
  });

  it('converts every kind of step with its common keys', async () => {
    const workflow = await load();
    const steps = byId(workflow);
    expect(workflow.steps.map((s) => `${s.id}:${s.kind}`)).toEqual([
      'files:run',
      'review:agent',
      'checks:parallel',
      'refine:repeat',
      'approve:ask',
      'nested:uses',
    ]);
    expect(steps.get('files')).toMatchObject({
      kind: 'run',
      name: 'List files',
      run: "printf 'a.ts\\nb.ts\\n'",
      shell: 'bash',
      workingDirectory: '.',
      timeoutMs: 250,
      continueOnError: false,
      replay: true,
      failFast: false,
      env: {},
      loc: { file: file, line: 40, column: 5 },
    });
    expect(steps.get('review')).toMatchObject({
      kind: 'agent',
      phase: 'analyse',
      forEach: '${{ steps.files.outputs.lines }}',
      concurrency: 2,
      failFast: true,
      if: "${{ inputs.mode == 'thorough' }}",
      continueOnError: true,
      replay: false,
      agent: {
        prompt: 'Review ${{ item }} (${{ index }}) of PR ${{ inputs.pr }}',
        system: 'You review code.',
        model: 'small',
        provider: 'claude-cli',
        temperature: 0.2,
        maxTokens: 500,
        schema: {
          type: 'object',
          required: ['severity'],
          properties: { severity: { enum: ['none', 'minor', 'major'] } },
        },
      },
    });
    expect(steps.get('checks')).toMatchObject({
      kind: 'parallel',
      steps: [{ id: 'lint' }, { id: 'test', retries: 1 }],
    });
    expect(steps.get('refine')).toMatchObject({
      kind: 'repeat',
      until: "steps.critique.outputs.text == 'ok' || loop.iteration >= 2",
      max: 3,
      steps: [{ id: 'draft' }, { id: 'critique', if: "steps.draft.outcome == 'success'" }],
    });
    expect(steps.get('approve')).toMatchObject({
      kind: 'ask',
      ask: { question: 'Ship it?', answer: { type: 'boolean' }, default: false },
      if: 'false',
    });
    expect(steps.get('nested')).toMatchObject({
      kind: 'uses',
      uses: './other.yml',
      with: { pr: '${{ inputs.pr }}' },
      callee: { name: 'other', inputs: [{ name: 'pr', type: 'string', required: true }] },
    });
  });

  it('loads the smallest workflow with defaults filled in', () => {
    const result = loadWorkflowText('name: minimal\nsteps:\n  - id: hello\n    run: echo hello\n', 'min.yml');
    expect(result.problems).toEqual([]);
    expect(result.workflow).toMatchObject({
      name: 'minimal',
      inputs: [],
      env: {},
      providers: {},
      pricing: {},
      defaults: {},
      limits: {},
      phases: {},
      outputs: {},
      steps: [{ id: 'hello', kind: 'run', run: 'echo hello', env: {}, replay: true, continueOnError: false }],
    });
  });
});

describe('step references follow the order steps run in', () => {
  const load = (steps: string): string[] =>
    located(loadWorkflowText(`name: refs\nsteps:\n${steps}`, 'refs.yml').problems);

  it('a step reads any earlier step, including steps nested in earlier groups and loops', () => {
    expect(
      load(`  - id: g
    parallel:
      - id: a
        run: echo
  - id: loop
    repeat:
      steps:
        - id: b
          run: echo
      until: true
      max: 1
  - id: c
    env: { V: "\${{ steps.a.outputs.text }} \${{ steps.b.outputs.text }}" }
    run: echo "$V"
`),
    ).toEqual([]);
  });

  it('inside a repeat, a step reads a later step of the same loop (its previous iteration)', () => {
    expect(
      load(`  - id: loop
    repeat:
      steps:
        - id: draft
          env: { V: "\${{ steps.critique.outputs.text }} \${{ steps.draft.outputs.text }}" }
          run: echo "$V"
        - id: critique
          run: echo
      until: steps.critique.outputs.text == 'ok'
      max: 2
`),
    ).toEqual([]);
  });

  it('a step after a loop cannot be read from inside it', () => {
    expect(
      load(`  - id: loop
    repeat:
      steps:
        - id: draft
          env: { V: "\${{ steps.after.outputs.text }}" }
          run: echo "$V"
      until: true
      max: 2
  - id: after
    run: echo
`),
    ).toEqual([
      '7:21: step "draft" reads steps.after before "after" runs: steps run in order (in ${{ steps.after.outputs.text }})',
    ]);
  });

  it('computed step names cannot be checked and are left to run time', () => {
    expect(
      load(`  - id: a\n    env: { V: "\${{ steps[format('{0}', 'x')].outputs }}" }\n    run: echo\n`),
    ).toEqual([]);
  });
});

describe('script injection', () => {
  const load = (run: string): string[] =>
    located(loadWorkflowText(`name: inj\nsteps:\n  - id: a\n    run: ${run}\n`, 'inj.yml').problems);

  it('accepts constants the author fixed, and values passed through env', () => {
    const typed = (run: string, shell = 'bash'): string[] =>
      located(
        loadWorkflowText(
          'name: inj\ninputs:\n  n: { type: number }\n  ok: { type: boolean }\n  mode: { type: enum, options: [a, b] }\n' +
            `steps:\n  - id: a\n    shell: ${shell}\n    for-each: [1]\n    run: ${run}\n  - id: r\n    repeat:\n      max: 2\n      until: true\n      steps:\n        - id: i\n          run: echo \${{ loop.iteration }}\n`,
          'inj.yml',
        ).problems,
      );
    expect(typed('echo ${{ inputs.n }} ${{ inputs.ok }} ${{ inputs.mode }} ${{ index }} "$TITLE"')).toEqual(
      [],
    );
    expect(typed("echo ${{ 'literal' }} ${{ 3 }} ${{ format('{0}/{1}', inputs.n, index) }}")).toEqual([]);
  });

  it.each([
    ['github.event.pull_request.title', 'TITLE'],
    ['github.event.comment.body', 'BODY'],
    ['github.event.pull_request.head.ref', 'REF'],
    ['github.event.commits[0].message', 'MESSAGE'],
    ['github.event.inputs.name', 'NAME'],
    ['github.event.pull_request.number', 'NUMBER'],
    ['github.head_ref', 'HEAD_REF'],
    ['toJSON(github.event)', 'EVENT'],
    ["inputs[format('n{0}', 'ame')]", 'INPUTS'],
    ["fromJSON('{}')[github.actor]", 'ACTOR'],
  ])('rejects ${{ %s }} in run and shows the env form', (expr, name) => {
    const problems = load(`echo "\${{ ${expr} }}"`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`env: { ${name}: "\${{ ${expr} }}" } and use "$${name}" in the script`);
  });
});

describe('files', () => {
  it('an unreadable file is a problem, with the path as given', async () => {
    const result = await loadWorkflowFile('does/not/exist.yml');
    expect(result.workflow).toBeUndefined();
    expect(result.problems.map(formatProblem)).toEqual([
      'does/not/exist.yml:1:1: cannot read the workflow: file not found',
    ]);
  });

  it('a directory is a problem too', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reprise-'));
    const result = await loadWorkflowFile(dir);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.message).toMatch(/^cannot read the workflow: /);
  });

  it('hashes the bytes on disk', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reprise-'));
    const file = path.join(dir, 'w.yml');
    const text = 'name: w\nsteps:\n  - id: a\n    run: echo é\n';
    await writeFile(file, text);
    const result = await loadWorkflowFile(file);
    expect(result.workflow?.scriptHash).toBe(
      `sha256:${createHash('sha256').update(Buffer.from(text)).digest('hex')}`,
    );
    expect(result.workflow?.file).toBe(file);
  });

  it('formatProblem prints file:line:column: message', () => {
    expect(formatProblem({ file: 'a/b.yml', line: 3, column: 7, message: 'step is missing "id"' })).toBe(
      'a/b.yml:3:7: step is missing "id"',
    );
  });
});

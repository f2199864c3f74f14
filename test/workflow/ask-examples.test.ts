// The GitHub workflows of the ask examples: they call the action with inputs it has, never put a value
// into a script (a comment's text reaches its parser only through env), check who may answer, and run
// a reprise workflow that validates.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatProblem, loadWorkflowFile } from '../../src/workflow/loader.js';

const repo = path.resolve(import.meta.dirname, '../..');
const actionInputs = Object.keys(
  (parse(readFileSync(path.join(repo, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> }).inputs,
);
const EXAMPLES = ['example-ask-pr.yml', 'example-ask-answer.yml', 'example-ask-dispatch.yml'];

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface GhWorkflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { if?: string; steps: Step[] }>;
}

const load = (name: string) =>
  parse(readFileSync(path.join(repo, '.github/workflows', name), 'utf8')) as GhWorkflow;

describe.each(EXAMPLES)('%s', (name) => {
  const workflow = load(name);
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const action = steps.find((step) => step.uses === './');

  it('runs the reprise job under the id the waiting run used, with actions: read', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['reprise']);
    expect(workflow.permissions.actions).toBe('read');
  });

  it('calls the action with inputs it declares, and a reprise workflow that validates', async () => {
    expect(action).toBeDefined();
    for (const key of Object.keys(action?.with ?? {})) expect(actionInputs).toContain(key);
    const result = await loadWorkflowFile(path.join(repo, String(action?.with?.workflow)));
    expect(result.problems.map(formatProblem)).toEqual([]);
  });

  it('never writes a ${{ }} value into a script', () => {
    for (const step of steps) expect(step.run ?? '').not.toContain('${{');
  });
});

describe('the comment workflow', () => {
  const workflow = load('example-ask-answer.yml');
  const job = workflow.jobs.reprise!;

  it('only lets owners, members and collaborators answer, and only on /reprise answer', () => {
    expect(Object.keys(workflow.on)).toEqual(['issue_comment']);
    expect(job.if).toContain('github.event.comment.author_association');
    expect(job.if).toContain("startsWith(github.event.comment.body, '/reprise answer ')");
  });

  it('passes the comment body only through env and the answer only as data', () => {
    const parseStep = job.steps[0]!;
    expect(parseStep.env?.BODY).toBe('${{ github.event.comment.body }}');
    const action = job.steps.find((step) => step.uses === './')!;
    expect(action.with).toMatchObject({
      'resume-from': '${{ steps.parse.outputs.run-id }}',
      answers: '${{ steps.parse.outputs.answers }}',
    });
  });
});

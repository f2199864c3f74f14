// The library API: loadWorkflow (problems as values), runWorkflow (journaled, resumable, observed).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowError, loadWorkflow, runWorkflow } from '../src/lib.js';
import type { RunObserver } from '../src/lib.js';

const WORKFLOW = `
name: lib
inputs:
  who: { type: string, default: world }
steps:
  - id: greet
    run: echo "hello $WHO"
    env: { WHO: "\${{ inputs.who }}" }
  - id: shout
    run: tr a-z A-Z <<< "$TEXT"
    env: { TEXT: "\${{ steps.greet.outputs.stdout }}" }
outputs:
  loud: \${{ steps.shout.outputs.lines[0] }}
`;

describe('library', () => {
  it('runs a workflow with an observer, then resumes it replaying every call', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'reprise-lib-'));
    writeFileSync(join(workspace, 'w.yml'), WORKFLOW);
    const events: string[] = [];
    const observer: RunObserver = {
      stepStarted: (step) => events.push(`start ${step}`),
      callFinished: (call) => events.push(`${call.status} ${call.step}`),
      stepFinished: (step, status) => events.push(`${status} ${step}`),
    };
    const first = await runWorkflow({
      workflow: 'w.yml',
      workspace,
      inputs: { who: 'lib' },
      runId: 'one',
      observer,
      env: { PATH: process.env.PATH },
    });
    expect(first).toMatchObject({
      status: 'succeeded',
      runId: 'one',
      attempt: 1,
      outputs: { loud: 'HELLO LIB' },
    });
    expect(events).toEqual([
      'start greet',
      'live greet',
      'succeeded greet',
      'start shout',
      'live shout',
      'succeeded shout',
    ]);
    const again = await runWorkflow({
      workflow: await loadWorkflow(join(workspace, 'w.yml')),
      workspace,
      resume: 'latest',
      env: { PATH: process.env.PATH },
    });
    expect(again).toMatchObject({ runId: 'one', attempt: 2, calls: { live: 0, replayed: 2 } });
    expect(again.outputs).toEqual(first.outputs);
  });

  it('loadWorkflow throws a WorkflowError with located problems', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'reprise-lib-'));
    writeFileSync(join(workspace, 'bad.yml'), 'name: bad\nsteps:\n  - id: a\n    agnt: {}\n');
    const error = await loadWorkflow(join(workspace, 'bad.yml')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowError);
    expect((error as WorkflowError).problems[0]).toMatchObject({ line: 4 });
  });
});

// A working directory built from data stays inside the workspace; one the author wrote out may leave it.
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load, run } from '../engine/harness.js';

const workflow = load(`
name: wd
inputs:
  dir: { type: string }
steps:
  - id: here
    working-directory: \${{ inputs.dir }}
    run: pwd
outputs:
  pwd: \${{ steps.here.outputs.lines[0] }}
`);

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'reprise-ws-'));
  mkdirSync(join(ws, 'sub'));
  return ws;
}

describe('working-directory from an expression', () => {
  it('runs inside the workspace', async () => {
    const ws = workspace();
    const result = await run(workflow, { workspace: ws, inputs: { dir: 'sub' } });
    expect(result.status).toBe('succeeded');
    expect(String(result.outputs.pwd)).toMatch(/\/sub$/);
  });

  it.each(['../..', '/etc', 'sub/../../', '..'])('refuses %s, which leaves the workspace', async (dir) => {
    const ws = workspace();
    const result = await run(workflow, { workspace: ws, inputs: { dir } });
    expect(result.status).toBe('failed');
    expect(result.error).toContain('resolves outside the workspace');
    expect(result.calls.live).toBe(0);
  });

  it('refuses a symlink inside the workspace that points out of it', async () => {
    const ws = workspace();
    symlinkSync(tmpdir(), join(ws, 'out'));
    const result = await run(workflow, { workspace: ws, inputs: { dir: 'out' } });
    expect(result.status).toBe('failed');
    expect(result.error).toContain('resolves outside the workspace');
  });

  it('lets a path the author wrote out leave the workspace, as in GitHub Actions', async () => {
    const fixed = load(`
name: wd
steps:
  - id: here
    working-directory: ${tmpdir()}
    run: pwd
outputs:
  pwd: \${{ steps.here.outputs.lines[0] }}
`);
    const result = await run(fixed, { workspace: workspace() });
    expect(result.status).toBe('succeeded');
  });
});

// The published entry: `import { loadWorkflow, runWorkflow } from 'reprise'` resolves through the
// package's exports to the bundle, with its type declarations beside it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, workspace } from './cli-helpers.js';

describe("import from 'reprise'", () => {
  it('runs a workflow through the bundled library', () => {
    const dir = workspace({
      'w.yml':
        'name: lib\nsteps:\n  - id: a\n    run: echo from-the-library\noutputs:\n  a: ${{ steps.a.outputs.lines[0] }}\n',
    });
    const script = `
      import { loadWorkflow, runWorkflow } from 'reprise';
      const workflow = await loadWorkflow(${JSON.stringify(join(dir, 'w.yml'))});
      const steps = [];
      const run = await runWorkflow({ workflow, workspace: ${JSON.stringify(dir)},
        observer: { stepFinished: (step, status) => steps.push(step + ':' + status) } });
      console.log(JSON.stringify({ status: run.status, outputs: run.outputs, steps }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      status: 'succeeded',
      outputs: { a: 'from-the-library' },
      steps: ['a:succeeded'],
    });
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string }>;
    };
    const types = join(REPO, pkg.exports['.']!.types);
    expect(existsSync(types)).toBe(true);
    expect(readFileSync(types, 'utf8')).toMatch(
      /export declare function runWorkflow\(options: RunWorkflowOptions\)/,
    );
  });
});

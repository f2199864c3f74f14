import { it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { loadWorkflowText, formatProblem } from '../../src/workflow/loader.js';
it('print', () => {
  const dir = process.env['PRINT_DIR'] ?? '/tmp/wf';
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()) {
    const r = loadWorkflowText(readFileSync(`${dir}/${f}`, 'utf8'), f);
    console.log(
      `== ${f}\n` +
        (r.workflow
          ? 'OK ' + JSON.stringify(r.workflow.steps.map((s) => s.kind))
          : r.problems.map(formatProblem).join('\n')),
    );
  }
});

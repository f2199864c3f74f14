// Every shipped workflow must load without problems: they are what users copy first.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflowFile } from '../../src/workflow/loader.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shipped = ['examples', '.github/reprise'].flatMap((dir) =>
  readdirSync(path.join(repo, dir))
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => `${dir}/${f}`),
);

describe('shipped workflows', () => {
  it('include the examples the README points at', () => {
    expect(shipped).toEqual(
      expect.arrayContaining([
        'examples/hello.yml',
        'examples/language-tour.yml',
        'examples/openai-triage.yml',
        'examples/anthropic-research.yml',
        'examples/claude-code-review.yml',
        '.github/reprise/pr-review.yml',
        '.github/reprise/research.yml',
      ]),
    );
  });

  it.each(shipped)('%s validates', async (name) => {
    const result = await loadWorkflowFile(path.join(repo, name));
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.workflow?.name).toBeTruthy();
  });
});

// Every example in examples/ must load without problems: they are what users copy first.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflowFile } from '../../src/workflow/loader.js';

const examplesDir = path.resolve(import.meta.dirname, '../../examples');
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
  .sort();

describe('examples/', () => {
  it('has examples', () => {
    expect(examples).toContain('language-tour.yml');
  });

  it.each(examples)('%s validates', async (name) => {
    const result = await loadWorkflowFile(path.join(examplesDir, name));
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.workflow?.name).toBeTruthy();
  });
});

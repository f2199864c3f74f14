// Every shipped workflow must load without problems: they are what users copy first.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflowFile, loadWorkflowText } from '../../src/workflow/loader.js';

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

// README snippets are what people copy: every complete reprise workflow in it validates.
const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((match) => match[1] ?? '')
  // Abbreviated snippets (`- ...`) are excerpts, not workflows.
  .filter(
    (text) => /^name: /m.test(text) && /^steps:/m.test(text) && !/^\s*- \.\.\.$|\[\.\.\.\]/m.test(text),
  );

describe('README workflows', () => {
  it('include the security examples', () => {
    expect(snippets.some((text) => text.includes('name: safe-title'))).toBe(true);
  });

  it.each(snippets.map((text) => [/^name: (.*)$/m.exec(text)?.[1] ?? '?', text]))(
    '%s validates',
    (_name, text) => {
      const result = loadWorkflowText(text, 'README.md');
      expect(result.problems.map(formatProblem)).toEqual([]);
    },
  );
});

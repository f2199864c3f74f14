// A journal damaged by many junk lines (issue 13): the CLI names the first few and counts the rest,
// rather than printing one warning per line.
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summariseProblems, type JournalProblem } from '../../src/journal/reader.js';
import { cli, scratch } from './harness.js';

const JUNK = 100_000;

describe('a journal of junk lines', () => {
  it('gives a bounded number of warnings on resume and in runs show', async () => {
    const root = scratch({ 'w.yml': 'name: junk\nsteps:\n  - id: hello\n    run: echo hi\n' });
    const first = await cli(root, 'run', 'w.yml');
    expect(first.code, first.err).toBe(0);
    const runsDir = join(root, '.reprise', 'runs');
    const [id] = readdirSync(runsDir);
    appendFileSync(join(runsDir, id!, 'journal.jsonl'), 'not json at all\n'.repeat(JUNK));

    const shown = await cli(root, 'runs', 'show', id!);
    expect(shown.code, shown.err).toBe(0);
    const shownLines = shown.err.trim().split('\n');
    expect(shownLines.length).toBeLessThanOrEqual(10);
    expect(shown.err).toContain(`and ${JUNK - 5} more problems like these`);

    const resumed = await cli(root, 'run', 'w.yml', '--resume', id!);
    expect(resumed.code, resumed.err).toBe(0);
    const warnings = resumed.err.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings.length).toBeGreaterThan(1);
    expect(warnings.length).toBeLessThanOrEqual(10);
    expect(resumed.err).toContain(`and ${JUNK - 5} more problems like these`);
  });

  it('summarise keeps short lists whole and counts the rest of long ones', () => {
    const problems = (n: number): JournalProblem[] =>
      Array.from({ length: n }, (_, i) => ({
        line: i + 2,
        severity: 'warning',
        message: `line ${i + 2} bad`,
      }));
    expect(summariseProblems(problems(6))).toEqual(problems(6));
    const long = summariseProblems(problems(1000));
    expect(long).toHaveLength(6);
    expect(long.at(-1)).toEqual({
      line: 7,
      severity: 'warning',
      message: 'and 995 more problems like these (lines 7 to 1001)',
    });
  });
});

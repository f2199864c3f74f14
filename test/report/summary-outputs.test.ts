// The job summary shows the workflow's outputs (collapsed when long) and, after a failure, how many
// calls a re-run replays.
import { describe, expect, it } from 'vitest';
import { Budget, emptyTotals } from '../../src/engine/budget.js';
import type { RunResult } from '../../src/engine/types.js';
import { renderJobSummary } from '../../src/report/summary.js';
import { renderSummary } from '../../src/report/progress.js';
import { load } from '../engine/harness.js';

const workflow = load('name: w\nsteps:\n  - id: a\n    run: echo hi\n');

function result(status: RunResult['status'], outputs: Record<string, unknown>): RunResult {
  return {
    status,
    outputs,
    calls: { live: 1, replayed: 0, failed: 0, skipped: 0 },
    usage: emptyTotals(),
    saved: emptyTotals(),
    budget: new Budget({}).report(),
    steps: [],
    unmatchedJournalCalls: 0,
    replayedKeys: [],
    questions: [],
    ms: 5,
  };
}

describe('job summary', () => {
  it('shows short outputs inline and long ones collapsed', () => {
    const short = renderJobSummary({
      workflow,
      runId: 'r',
      attempt: 1,
      result: result('succeeded', { n: 1 }),
    });
    expect(short).toContain('**Outputs:**');
    expect(short).toContain('"n": 1');
    expect(short).not.toContain('replays');
    const long = renderJobSummary({
      workflow,
      runId: 'r',
      attempt: 1,
      result: result('succeeded', { report: 'x'.repeat(2000), '<b>': 1 }),
    });
    expect(long).toContain('<details><summary><b>Outputs</b>: report, &lt;b&gt;</summary>');
  });

  it('after a failure, says how many calls a re-run replays', () => {
    const failed = renderJobSummary({
      workflow,
      runId: 'r',
      attempt: 2,
      result: { ...result('failed', {}), error: 'boom' },
      journaledCalls: 7,
    });
    expect(failed).toContain('Re-running this job replays 7 journaled calls for free');
  });

  it('names a damaged restored journal: where from, what was kept, what was wrong, where the original is', () => {
    const summary = renderJobSummary({
      workflow,
      runId: 'r',
      attempt: 2,
      result: result('succeeded', {}),
      restoredFrom: 'reprise-v1-w-1',
      restoredCalls: 4,
      damagedJournals: [
        {
          from: 'the Actions cache (reprise-v1-w-1)',
          aside: '/runner/temp/runs/r/journal.jsonl.damaged-2026-12-04T09-00-00-000Z',
          kept: 4,
          problems: [{ message: 'line 3 fails its checksum (it was changed after it was written); ignored' }],
        },
      ],
    });
    expect(summary).toContain(
      '> The journal restored from the Actions cache (reprise-v1-w-1) was damaged. Its 4 valid calls were kept and replayed',
    );
    expect(summary).toContain("`journal.jsonl.damaged-2026-12-04T09-00-00-000Z` in this attempt's artifact");
    expect(summary).toContain('> - line 3 fails its checksum');
  });
});

describe('reuse across runs in the summaries', () => {
  it('says what was reused, run again, too old and no longer matched', () => {
    const reused: RunResult = {
      ...result('succeeded', {}),
      reuse: { reused: 11, rerun: 2, expired: 1, unmatched: 3, maxAgeMs: 7 * 24 * 3600_000 },
      unmatchedJournalCalls: 3,
    };
    const line =
      '11 calls reused from earlier runs, 2 ran again (run steps, tools, command agents, asks: side effects or the world), ' +
      '1 too old (reuse-max-age 7d), 3 journaled no longer matched';
    expect(renderJobSummary({ workflow, runId: 'r', attempt: 1, result: reused })).toContain(
      `**Reuse across runs:** ${line}.`,
    );
    expect(renderSummary('r', reused)).toContain(`  reuse: ${line}`);
    // Said once, in the reuse line, not again as a separate line.
    expect(renderSummary('r', reused)).not.toContain('no longer matched the workflow');
    expect(renderJobSummary({ workflow, runId: 'r', attempt: 1, result: reused })).not.toContain(
      'no longer matched the workflow',
    );
    expect(renderSummary('r', result('succeeded', {}))).not.toContain('reuse:');
  });
});

// Cross-run reuse through the CLI: `run --reuse` starts a new run from an earlier run's journal; after an
// edit of one prompt of a 12-call workflow, 11 calls replay and 1 reaches the (fake) provider.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import type { FakeServer } from '../fakes/openai-server.js';
import { REPO, cliAsync, exited, journalLines, lastJson, workspace } from './cli-helpers.js';

const workflow = (third: string) => `
name: twelve
defaults: { provider: openai, model: gpt-4o-mini, retries: 0 }
steps:
${[0, 1, 2, 3, 4, 5].map((i) => `  - id: s${i}\n    agent: { prompt: "${i === 3 ? third : `step ${i}`}" }`).join('\n')}
  - id: fan
    for-each: [a, b, c, d, e, f]
    agent: { prompt: "item \${{ item }}" }
`;

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: 'test-key' });
});
afterAll(async () => {
  await server.close();
});

async function reprise(dir: string, args: string[]) {
  return exited(cliAsync(dir, args, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test-key' }));
}

describe('run --reuse', () => {
  it('after editing one prompt of 12 calls, a new run reusing the first replays 11 and runs 1 live', async () => {
    const dir = workspace({ 'w.yml': workflow('step 3') });
    const first = await reprise(dir, ['run', 'w.yml', '--run-id', 'week-1']);
    expect(first.code, first.stderr).toBe(0);
    expect(server.requests).toHaveLength(12);

    writeFileSync(join(dir, 'w.yml'), workflow('step 3, reworded'));
    const second = await reprise(dir, ['run', 'w.yml', '--reuse', 'latest', '--run-id', 'week-2', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(server.requests).toHaveLength(13);
    expect(lastJson(second.stdout)).toMatchObject({
      status: 'succeeded',
      runId: 'week-2',
      calls: { live: 1, replayed: 11 },
      reuse: { reused: 11, rerun: 0, expired: 0, unmatched: 1 },
    });
    expect(second.stderr).toContain('reusing run week-1: 12 journaled calls');
    expect(second.stderr).toContain('reuse: 11 calls reused from earlier runs');
    // The new run's first header names the run it reuses; week 1's journal is untouched.
    const header = journalLines(dir, 'week-2').find((line) => line['runId'] === 'week-2');
    expect(header).toMatchObject({ attempt: 1, reuses: ['week-1'] });
    expect(readFileSync(join(dir, '.reprise/runs/week-1/journal.jsonl'), 'utf8')).not.toContain('week-2');

    // `runs show` speaks of the run's own attempt (1 live call, its spend), not of week 1's reused lines.
    const shown = await reprise(dir, ['runs', 'show', 'week-2', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ attempts: 1, calls: 1, reusedFrom: ['week-1'] });
    const shownText = await reprise(dir, ['runs', 'show', 'week-2']);
    expect(shownText.stdout).toContain('1 attempt, 1 journaled calls');
    expect(shownText.stdout).toContain('reuses calls of earlier runs: week-1 (not counted here)');

    // Resuming the new run replays all of it; nothing older than --reuse-max-age 0 is reused by a third.
    const resumed = await reprise(dir, ['run', 'w.yml', '--resume', 'week-2', '--json']);
    expect(lastJson(resumed.stdout)).toMatchObject({ calls: { live: 0, replayed: 12 } });
    const none = await reprise(dir, ['run', 'w.yml', '--reuse', 'week-2', '--reuse-max-age', '0', '--json']);
    expect(lastJson(none.stdout)).toMatchObject({ calls: { live: 12 }, reuse: { reused: 0, expired: 12 } });
    expect(server.requests).toHaveLength(25);

    const wrong = await reprise(dir, ['run', 'w.yml', '--reuse', 'week-1', '--resume', 'week-2']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--reuse starts a new run');
    const badAge = await reprise(dir, ['run', 'w.yml', '--reuse', 'week-1', '--reuse-max-age', 'soon']);
    expect(badAge.code).toBe(2);
    expect(badAge.stderr).toContain('--reuse-max-age expects a duration');
  });
});

describe('examples/weekly-digest.yml', () => {
  it('a second week runs the run steps again and reuses the agent calls', async () => {
    const dir = workspace();
    const example = join(REPO, 'examples/weekly-digest.yml');
    const env = { TINY_AGENT_DELAY_MS: '0' };
    const first = await exited(cliAsync(dir, ['run', example, '--run-id', 'week-1'], env));
    expect(first.code, first.stderr).toBe(0);
    const second = await exited(
      cliAsync(dir, ['run', example, '--reuse', 'week-1', '--run-id', 'week-2', '--json'], env),
    );
    expect(second.code, second.stderr).toBe(0);
    const json = lastJson(second.stdout);
    // `digest` reads the ISO week, so it is reused unless the two runs straddle a week's start.
    expect(json).toMatchObject({ reuse: { rerun: 2, expired: 0 } });
    expect((json['reuse'] as { reused: number }).reused).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(dir, '.reprise/weekly-digest.txt'), 'utf8')).toContain('In short');
  });
});

// Crash safety: `kill -9` the CLI at random moments, resume, and compare with an uninterrupted run.
// Each run step appends to a counter file, which proves what executed how often across attempts.
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, cli, cliAsync, exited, journalLines, lastJson, prng, workspace } from './cli-helpers.js';

const WORKFLOW = `
name: crashy
providers:
  tiny: { type: command, command: node, args: [tiny-agent.mjs], output: json }
defaults: { provider: tiny, model: tiny-1 }
steps:
  - id: list
    run: seq 1 12
  - id: work
    for-each: \${{ steps.list.outputs.lines }}
    concurrency: 3
    run: |
      sleep 0.0$(( (ITEM * 37) % 9 + 1 ))
      echo "$ITEM" >> "counts/work-$ITEM"
      echo "result-$ITEM"
    env: { ITEM: "\${{ item }}" }
  - id: think
    for-each: \${{ fromJSON('[1,2,3,4]') }}
    agent: { prompt: "consider \${{ item }} and \${{ join(steps.work.outputs.*.stdout, ' ') }}" }
  - id: total
    run: |
      echo done >> counts/total
      echo "$ALL"
    env: { ALL: "\${{ join(steps.think.outputs.*.text, '|') }}" }
outputs:
  total: \${{ steps.total.outputs.stdout }}
  work: \${{ steps.work.outputs.*.stdout }}
`;

const ENV = { TINY_AGENT_DELAY_MS: '60' };

function setup(): string {
  const dir = workspace({ 'crashy.yml': WORKFLOW });
  cpSync(join(REPO, 'examples/agents/tiny-agent.mjs'), join(dir, 'tiny-agent.mjs'));
  mkdirSync(join(dir, 'counts'));
  return dir;
}

function counts(dir: string): Map<string, number> {
  const result = new Map<string, number>();
  for (let item = 1; item <= 12; item++) {
    const file = join(dir, `counts/work-${item}`);
    result.set(`work-${item}`, existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0);
  }
  const total = join(dir, 'counts/total');
  result.set('total', existsSync(total) ? readFileSync(total, 'utf8').trim().split('\n').length : 0);
  return result;
}

/** Counter names of the run-step calls the journal holds as completed. */
function journaled(dir: string): Set<string> {
  if (!existsSync(join(dir, '.reprise/runs/trial/journal.jsonl'))) return new Set();
  const done = new Set<string>();
  for (const event of journalLines(dir, 'trial')) {
    if (event.t !== 'call') continue;
    if (event.step === 'work') done.add(`work-${(event.item as number) + 1}`);
    if (event.step === 'total') done.add('total');
  }
  return done;
}

function runArgs(dir: string): string[] {
  const resume = existsSync(join(dir, '.reprise/runs/trial/journal.jsonl'));
  return ['run', 'crashy.yml', ...(resume ? ['--resume', 'trial'] : ['--run-id', 'trial']), '--json'];
}

describe('kill -9 at a random moment, then resume', () => {
  const reference = (() => {
    const dir = setup();
    const run = cli(dir, ['run', 'crashy.yml', '--json'], ENV);
    if (run.code !== 0) throw new Error(`reference run failed:\n${run.stdout}\n${run.stderr}`);
    return lastJson(run.stdout);
  })();

  const TRIALS = 20;
  for (let trial = 0; trial < TRIALS; trial++) {
    const seed = 1000 + trial;
    it(`trial ${trial} (seed ${seed})`, async () => {
      const random = prng(seed);
      const dir = setup();
      const kills = random() < 0.3 ? 2 : 1;
      const snapshots: { journaled: Set<string>; counts: Map<string, number> }[] = [];
      for (let k = 0; k < kills; k++) {
        const child = cliAsync(dir, runArgs(dir), ENV);
        const done = exited(child);
        await new Promise((resolve) => setTimeout(resolve, 150 + random() * 1100));
        child.kill('SIGKILL');
        await done;
        snapshots.push({ journaled: journaled(dir), counts: counts(dir) });
      }

      const final = cli(dir, runArgs(dir), ENV);
      expect(final.code, final.stderr).toBe(0);
      const result = lastJson(final.stdout);
      expect(result.status).toBe('succeeded');
      expect(result.outputs).toEqual(reference.outputs);

      const after = counts(dir);
      for (const [name, count] of after) {
        expect(count, name).toBeGreaterThanOrEqual(1);
        expect(count, name).toBeLessThanOrEqual(1 + kills);
      }
      for (const snapshot of snapshots) {
        // A call the journal held as complete never ran again.
        for (const name of snapshot.journaled) expect(after.get(name), name).toBe(snapshot.counts.get(name));
      }
      // Only calls in flight at a kill can have run twice: at most `concurrency` per kill.
      const repeated = [...after.values()].reduce((sum, count) => sum + (count - 1), 0);
      expect(repeated).toBeLessThanOrEqual(3 * kills);

      // Every line but a torn last one parses; the resumed journal is readable end to end.
      const show = cli(dir, ['runs', 'show', 'trial', '--json']);
      expect(show.code).toBe(0);
      const shown = JSON.parse(show.stdout) as { status: string; problems: { severity: string }[] };
      expect(shown.status).toBe('succeeded');
      for (const problem of shown.problems) expect(problem.severity).toBe('info');
    });
  }
});

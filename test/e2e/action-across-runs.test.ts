// The bundled action across attempts and runs, on the Actions emulator with a fake OpenAI server: what a
// re-run may spend (limits count every attempt of the run), and what a later run may take from an earlier
// one (`resume-scope: workflow`).
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { RecordedRequest } from '../fakes/openai-server.js';
import { ActionHarness, NODE24, REPO, commands, waitFor, type StepResult } from './action/harness.js';

let harness: ActionHarness;

beforeAll(async () => {
  harness = await ActionHarness.start();
  // Every answer costs 20 tokens, so a limit trips after a known number of calls. The research example's
  // planner gets three sub-questions.
  harness.openai.respond((request) => ({
    text: request.prompt.startsWith('List up to five sub-questions')
      ? JSON.stringify({ questions: ['what broke', 'what got faster', 'what is deprecated'] })
      : `echo: ${request.prompt}`,
    usage: { input: 10, output: 10 },
  }));
});

afterAll(async () => {
  await harness?.close();
});

const NODE = NODE24 ?? process.execPath;
const PROVIDER_ENV = { OPENAI_API_KEY: 'sk-e2e-not-a-real-key' };
const log = (step: StepResult): string => `${step.stderr}\n${step.stdout}`;
const prompts = (requests: RecordedRequest[]): string[] => requests.map((request) => request.prompt);

interface Ran {
  main: StepResult;
  /** Requests the fake provider received during main. */
  requests: RecordedRequest[];
}

/** One job attempt on a fresh runner: main, then post with the state main saved. */
async function jobAttempt(spec: {
  runId: number;
  attempt: number;
  files: Record<string, string>;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  preload?: string[];
}): Promise<Ran> {
  const step = harness.attempt({
    ...spec,
    env: { ...PROVIDER_ENV, ...spec.env },
    node: NODE,
  });
  const mark = harness.openai.requests.length;
  const main = await step.main();
  const requests = harness.requestsSince(mark);
  const post = await step.post(main.state);
  expect(post.code, log(post)).toBe(0);
  return { main, requests };
}

describe('run-wide limits across action attempts', () => {
  const file = '.github/reprise/budget.yml';
  const workflow = `name: budget
providers:
  fake: { type: openai, base-url: "${'URL'}" }
defaults: { provider: fake, model: gpt-4o-mini, retries: 0 }
limits: { tokens: 50 }
steps:
  - id: each
    for-each: \${{ fromJSON('[1,2,3,4,5,6]') }}
    concurrency: 1
    agent: { prompt: "budget item \${{ item }}" }
`;

  it('a re-run replays, may spend only what is left, and names both attempts; `limits:` raises it', async () => {
    const files = { [file]: workflow.replace('URL', harness.openai.url) };
    const leg = { runId: 3101, files, inputs: { workflow: file } };

    const first = await jobAttempt({ ...leg, attempt: 1 });
    expect(first.main.code, log(first.main)).toBe(1);
    expect(prompts(first.requests)).toEqual(['budget item 1', 'budget item 2', 'budget item 3']);
    expect(first.main.outputs).toMatchObject({ status: 'failed', 'calls-live': '3', 'run-tokens': '60' });
    expect(commands(first.main.stdout, 'error').join('\n')).toContain(
      'limits.tokens exceeded: 60 tokens used of 50',
    );

    // "Re-run failed jobs": the same run id, the next attempt, a fresh runner. Nothing of the limit is left.
    const second = await jobAttempt({ ...leg, attempt: 2 });
    expect(second.main.code, log(second.main)).toBe(1);
    expect(second.requests).toEqual([]);
    expect(second.main.outputs).toMatchObject({
      status: 'failed',
      'calls-live': '0',
      'calls-replayed': '3',
      'run-tokens': '60',
      'restored-from': expect.stringMatching(/-3101-1$/),
    });
    expect(commands(second.main.stdout, 'error').join('\n')).toContain(
      'limits.tokens exceeded: 60 tokens used of 50 (attempt 1: 60, attempt 2: 0)',
    );
    expect(second.main.summary).toContain('tokens 60 / 50 (60 in attempt 1)');

    // Raising the limit is an explicit act: the action input, recorded for that attempt only.
    const third = await jobAttempt({ ...leg, attempt: 3, inputs: { ...leg.inputs, limits: 'tokens: 200' } });
    expect(third.main.code, log(third.main)).toBe(0);
    expect(prompts(third.requests)).toEqual(['budget item 4', 'budget item 5', 'budget item 6']);
    expect(third.main.outputs).toMatchObject({
      status: 'succeeded',
      'calls-live': '3',
      'calls-replayed': '3',
      'run-tokens': '120',
    });
  });
});

/** Call lines of a journal file (one per journaled call). */
function journalCalls(path: string): Array<{ key: string; step: string; kind: string }> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { t: string; key: string; step: string; kind: string })
    .filter((event) => event.t === 'call');
}

describe('resume-scope: workflow through the action', () => {
  const file = '.github/reprise/twelve.yml';
  const twelve = (edited: number | undefined) =>
    `name: twelve
providers:
  fake: { type: openai, base-url: "${harness.openai.url}" }
defaults: { provider: fake, model: gpt-4o-mini, retries: 0 }
steps:
${Array.from({ length: 12 }, (_, i) => `  - id: q${i + 1}\n    agent: { prompt: "twelve: question ${i + 1}${i + 1 === edited ? ', asked better' : ''}" }`).join('\n')}
`;

  it('a new run of an edited workflow replays the 11 calls whose keys still match and runs 1 live', async () => {
    const inputs = { workflow: file, 'resume-scope': 'workflow' };
    const first = await jobAttempt({ runId: 4101, attempt: 1, files: { [file]: twelve(undefined) }, inputs });
    expect(first.main.code, log(first.main)).toBe(0);
    expect(first.requests).toHaveLength(12);

    // Run 2 is a new workflow run (new run id) after one prompt of the file was edited.
    const second = await jobAttempt({ runId: 4102, attempt: 1, files: { [file]: twelve(7) }, inputs });
    expect(second.main.code, log(second.main)).toBe(0);
    expect(prompts(second.requests)).toEqual(['twelve: question 7, asked better']);
    expect(second.main.outputs).toMatchObject({
      status: 'succeeded',
      'calls-live': '1',
      'calls-replayed': '11',
      'calls-reused': '11',
      'restored-from': expect.stringMatching(/-4101-1$/),
    });
    // The engine's reuse report, in the job summary: what was reused, and the one edited call's old key.
    expect(second.main.summary).toMatch(
      /\*\*Reuse across runs:\*\* 11 calls reused from earlier runs, .*, 1 journaled no longer matched/,
    );
  });
});

describe('resume-scope: workflow when main is killed', () => {
  const file = '.github/reprise/killed.yml';
  const weekly = (week: number) =>
    `name: killed
providers:
  fake: { type: openai, base-url: "${harness.openai.url}" }
defaults: { provider: fake, model: gpt-4o-mini, retries: 0 }
steps:
  - id: log
    run: echo the log
  - id: stable
    agent: { prompt: "killed: the same every week" }
  - id: news
    agent: { prompt: "killed: week ${week}" }
`;

  it("post compacts what it saves for later runs: the earlier run's duplicate goes", async () => {
    const inputs = { workflow: file, 'resume-scope': 'workflow' };
    const first = await jobAttempt({ runId: 4201, attempt: 1, files: { [file]: weekly(1) }, inputs });
    expect(first.main.code, log(first.main)).toBe(0);

    // Run 2 runs its `log` step again (a run step is never reused), reuses `stable`, and is killed in `news`.
    harness.openai.fault({ hang: true, match: 'killed: week 2' });
    const step = harness.attempt({
      runId: 4202,
      attempt: 1,
      files: { [file]: weekly(2) },
      inputs,
      env: PROVIDER_ENV,
      node: NODE,
    });
    const mark = harness.openai.requests.length;
    const running = step.startMain();
    await waitFor(
      () => harness.requestsSince(mark).some((request) => request.prompt === 'killed: week 2'),
      'the hanging call',
    );
    running.child.kill('SIGKILL');
    const main = await running.done;
    expect(main.state).toMatchObject({ saved: 'false', 'resume-scope': 'workflow' });

    const post = await step.post(main.state);
    expect(post.code, log(post)).toBe(0);
    expect(commands(post.stdout, 'warning')).toEqual([]);
    expect(post.stdout).toMatch(
      /journal compacted: 4 → 3 calls, .*\(dropped earlier runs' calls: 1 duplicate\)\n/,
    );
    // Run 1's `stable` and `news` stay for later runs; its `log` went: run 2 journaled its own.
    expect(journalCalls(main.state.journal!).map((call) => call.step)).toEqual(['stable', 'news', 'log']);
  });
});

/** A `gh` on PATH that records its arguments and answers `gh api` with what the world holds this week. */
function fakeGh(root: string) {
  const bin = join(root, 'bin');
  const calls = join(root, 'calls');
  mkdirSync(bin, { recursive: true });
  mkdirSync(calls, { recursive: true });
  writeFileSync(
    join(bin, 'gh'),
    `#!/bin/sh
# Test double of the GitHub CLI: one file per call holding its arguments, NUL-separated.
n=$(ls "${calls}" | wc -l)
printf '%s\\0' "$@" > "${calls}/$(printf '%03d' "$n")"
case "$1" in
  api) cat "${root}/world.txt" ;;
  issue) echo "https://github.com/octo-org/octo-repo/issues/$n" ;;
esac
`,
  );
  chmodSync(join(bin, 'gh'), 0o755);
  const path = [
    bin,
    ...(process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes('node_modules')),
  ];
  return {
    env: { PATH: path.join(delimiter) },
    world: (releases: string) => writeFileSync(join(root, 'world.txt'), releases),
    /** The calls since the last `take`, each its argument list. */
    take(): string[][] {
      const taken = readdirSync(calls)
        .sort()
        .map((name) => readFileSync(join(calls, name), 'utf8').split('\0').slice(0, -1));
      rmSync(calls, { recursive: true });
      mkdirSync(calls);
      return taken;
    },
  };
}

describe('the scheduled research example over three simulated weeks', () => {
  it('observes the world and opens an issue every week, reuses unchanged prompts, keeps the journal bounded', async () => {
    const DAY = 24 * 60 * 60 * 1000;
    // The GitHub workflow of the example, as a user copies it: its `with:` is what the action gets.
    const example = parseYaml(readFileSync(join(REPO, '.github/workflows/example-research.yml'), 'utf8')) as {
      jobs: { research: { steps: Array<{ uses?: string; with?: Record<string, string> }> } };
    };
    const withInputs = example.jobs.research.steps.find((step) => step.uses === './')?.with ?? {};
    expect(withInputs['resume-scope']).toBe('workflow');
    const workflowFile = withInputs['workflow'] ?? '';
    const files = { [workflowFile]: readFileSync(join(REPO, workflowFile), 'utf8') };
    const gh = fakeGh(join(harness.root, 'gh'));
    const releases = [
      'v4.2.0 (2026-11-30T10:00:00Z): faster restores\n',
      'v4.2.1 (2026-12-08T10:00:00Z): fix for cross-os caches\nv4.2.0 (2026-11-30T10:00:00Z): faster restores\n',
    ];
    // The schedule fires a little later each week than the week before: last week's calls are just over
    // 7 days old, past the 7-day default, within the example's reuse-max-age.
    const week = async (n: number, world: string) => {
      gh.world(world);
      const offset = n * 7 * DAY + n * 60 * 60 * 1000;
      const clock = `${pathToFileURL(join(REPO, 'test/e2e/action/shifted-clock.mjs')).href}?offset=${offset}`;
      const ran = await jobAttempt({
        runId: 4201 + n,
        attempt: 1,
        files,
        inputs: withInputs,
        env: { ...gh.env, OPENAI_BASE_URL: harness.openai.url, GH_TOKEN: 'gh-e2e-not-a-real-token' },
        preload: [clock],
      });
      expect(ran.main.code, log(ran.main)).toBe(0);
      const ghCalls = gh.take();
      // The world-observing step and the issue run every week, the issue with this week's report.
      expect(ghCalls.map((args) => args.slice(0, 2).join(' '))).toEqual([
        'api repos/actions/cache/releases?per_page=5',
        'issue create',
      ]);
      const report = JSON.parse(ran.main.outputs.outputs ?? '{}').report as string;
      expect(ghCalls[1]).toEqual([
        'issue',
        'create',
        '--title',
        expect.stringMatching(/^Research: /),
        '--body',
        report,
      ]);
      expect(report).toContain(world.split('\n')[0]);
      return { ...ran, calls: journalCalls(ran.main.outputs.journal ?? '') };
    };
    const live = (ran: Ran) => ran.requests.map((request) => request.prompt.split('\n')[0]).sort();

    const first = await week(0, releases[0]!);
    expect(live(first)).toHaveLength(5); // plan, three answers, report

    // Week 2: a release came out. The plan and the answers are reused; the report, whose prompt holds the
    // releases, runs live.
    const second = await week(1, releases[1]!);
    expect(live(second)).toEqual(['Question: What changed this week in GitHub Actions caching?']);
    expect(second.main.outputs['calls-reused']).toBe('4');
    expect(second.main.summary).toMatch(
      /4 calls reused from earlier runs, 1 ran again .*, 0 too old \(reuse-max-age 10d\)/,
    );
    expect(second.main.summary).toMatch(/^\| plan \| ✅ succeeded \| 0 \| 1 \| 0 \|/m);
    expect(second.main.summary).toMatch(/^\| releases \| ✅ succeeded \| 1 \| 0 \| 0 \|/m);

    // Week 3: nothing new. Last week's report is reused; the plan and answers, journaled two weeks ago, are
    // older than reuse-max-age and run live again.
    const third = await week(2, releases[1]!);
    expect(live(third)).toEqual([
      'Answer concretely, with sources where you know them: what broke',
      'Answer concretely, with sources where you know them: what got faster',
      'Answer concretely, with sources where you know them: what is deprecated',
      'List up to five sub-questions that together answer: What changed this week in GitHub Actions caching?',
    ]);
    expect(third.main.outputs['calls-reused']).toBe('1');
    expect(third.main.summary).toMatch(/1 call reused from earlier runs, 2 ran again .*, 4 too old/);
    expect(third.main.summary).toMatch(
      /Saved for later runs:\*\* journal compacted: .*older than reuse-max-age/,
    );

    // Bounded: one line per key, and no more lines in week 3 than in week 2.
    for (const ran of [first, second, third]) {
      expect(new Set(ran.calls.map((call) => call.key)).size).toBe(ran.calls.length);
    }
    expect(third.calls.length).toBeLessThanOrEqual(second.calls.length);
  });
});

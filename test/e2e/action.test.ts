// The bundled action end to end, as the runner runs it: dist/index.js (main) and dist/post.js (post) as
// separate processes against the Actions emulator (cache, artifacts) and a fake OpenAI server, each job
// attempt on a fresh runner (new, empty workspace and RUNNER_TEMP; same run id). What a user sees on
// "Re-run failed jobs": finished calls come back from the journal, only the missing ones reach the provider.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withChecksum } from '../../src/journal/checksum.js';
import { parseJournal } from '../../src/journal/reader.js';
import { defaultRunBackendId } from '../emulator/runner-env.js';
import type { RecordedRequest } from '../fakes/openai-server.js';
import {
  ActionHarness,
  NODE24,
  NODE_OTHER,
  REPO,
  commands,
  waitFor,
  type ActionAttempt,
  type StepResult,
} from './action/harness.js';

let harness: ActionHarness;

beforeAll(async () => {
  harness = await ActionHarness.start();
});

afterAll(async () => {
  await harness?.close();
});

const NODE = NODE24 ?? process.execPath;
const NODE_LABEL = NODE24 ? 'node 24' : `node ${process.versions.node}, node 24 not installed`;
const NODE_OTHER_LABEL = `node ${NODE_OTHER.version}`;
/** Let the action's own processes run the fake provider with any key. */
const PROVIDER_ENV = { OPENAI_API_KEY: 'sk-e2e-not-a-real-key' };
/** The action's processes run with test instrumentation preloaded (cache outage scenario only). */
const SHORT_RETRY_SLEEPS = join(REPO, 'test/e2e/action/short-retry-sleeps.mjs');

const TOPICS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
const FANOUT_FILE = '.github/reprise/fanout.yml';

/**
 * One shell call listing six topics, six agent calls fanned out over them (3 at a time, no retries), then
 * one summary call over their answers. `tag` keeps each test's prompts apart on the shared fake server.
 */
function fanoutWorkflow(tag: string): string {
  return `name: fanout
providers:
  fake: { type: openai, base-url: "${harness.openai.url}" }
defaults: { provider: fake, model: gpt-fake, retries: 0 }
steps:
  - id: topics
    run: printf '%s\\n' ${TOPICS.join(' ')}
  - id: review
    for-each: \${{ steps.topics.outputs.lines }}
    concurrency: 3
    agent:
      prompt: "[${tag}] review \${{ item }}"
  - id: summary
    agent:
      prompt: "[${tag}] summarize: \${{ join(steps.review.outputs.*.text, ' | ') }}"
outputs:
  summary: \${{ steps.summary.outputs.text }}
`;
}

const reviewPrompt = (tag: string, topic: string): string => `[${tag}] review ${topic}`;
const summaryPrompt = (tag: string): string =>
  `[${tag}] summarize: ${TOPICS.map((topic) => `echo: ${reviewPrompt(tag, topic)}`).join(' | ')}`;
/** The fake answers `echo: <prompt>`: the workflow's outputs when every call ran (or replayed) right. */
const fanoutOutputs = (tag: string): string => JSON.stringify({ summary: `echo: ${summaryPrompt(tag)}` });

const prompts = (requests: RecordedRequest[]): string[] => requests.map((request) => request.prompt).sort();
/** What a failed assertion on a step shows: its stderr (a crash) and stdout (the log). */
const log = (step: StepResult): string => `${step.stderr}\n${step.stdout}`;

interface Leg {
  runId: number;
  job?: string;
  inputs?: Record<string, string>;
  files?: Record<string, string>;
  node?: string;
  env?: Record<string, string>;
  preload?: string[];
}

function attempt(leg: Leg, n: number, tag: string): ActionAttempt {
  return harness.attempt({
    runId: leg.runId,
    attempt: n,
    job: leg.job,
    files: leg.files ?? { [FANOUT_FILE]: fanoutWorkflow(tag) },
    inputs: { workflow: FANOUT_FILE, ...leg.inputs },
    env: { ...PROVIDER_ENV, ...leg.env },
    node: leg.node ?? NODE,
    preload: leg.preload,
  });
}

interface Ran {
  main: StepResult;
  post: StepResult;
  /** Requests the fake provider received during main. */
  requests: RecordedRequest[];
}

/** Main, then post with the state main saved: one job attempt on its runner. */
async function runAttempt(step: ActionAttempt): Promise<Ran> {
  const mark = harness.openai.requests.length;
  const main = await step.main();
  const requests = harness.requestsSince(mark);
  const post = await step.post(main.state);
  return { main, post, requests };
}

/**
 * Attempt 1 of the fan-out with a fatal 400 for the `delta` item: five reviews and the shell step finish,
 * the step fails, the journal goes to the cache and an artifact. Returns the attempt and the prompts that
 * completed (and so must never reach the provider again).
 */
async function failMidway(leg: Leg, tag: string): Promise<{ ran: Ran; completed: string[] }> {
  harness.openai.fault({ status: 400, match: reviewPrompt(tag, 'delta'), message: 'this item is refused' });
  const ran = await runAttempt(attempt(leg, 1, tag));
  const { main } = ran;
  expect(main.code, log(main)).toBe(1);
  expect(main.outputs).toMatchObject({
    status: 'failed',
    'calls-live': '6',
    'calls-replayed': '0',
    'calls-failed': '1',
    'restored-from': '',
  });
  expect(prompts(ran.requests)).toEqual(TOPICS.map((topic) => reviewPrompt(tag, topic)).sort());
  expect(commands(main.stdout, 'error').join('\n')).toMatch(
    /item 3 \("delta"\).*\(400\): this item is refused/,
  );
  expect(main.summary).toContain('❌ reprise: fanout failed');
  expect(main.state).toMatchObject({ saved: 'true', artifact: expect.stringMatching(/-attempt-1$/) });
  expect(ran.post.code).toBe(0);
  expect(ran.post.stdout).toContain('the journal was saved by the main step');
  const completed = ran.requests
    .filter((request) => request.answered && request.prompt !== reviewPrompt(tag, 'delta'))
    .map((request) => request.prompt);
  expect(completed).toHaveLength(5);
  return { ran, completed };
}

/** Keys of the cache entries of workflow run `runId` (any job, any attempt), oldest first. */
function cacheKeysOfRun(runId: number): string[] {
  const ofRun = new RegExp(`-${runId}-\\d+$`);
  return harness.emulator
    .cacheEntries()
    .map((entry) => entry.key)
    .filter((key) => ofRun.test(key));
}

function artifactNames(runId: number): string[] {
  return harness.emulator.artifacts(defaultRunBackendId(runId)).map((artifact) => artifact.name);
}

/** Attempt 2 finished the fan-out: only `delta` and the summary ran live. */
function expectResumed(ran: Ran, tag: string, completed: string[], restoredFrom: string): void {
  const { main } = ran;
  expect(main.code, log(main)).toBe(0);
  expect(main.outputs).toMatchObject({
    status: 'succeeded',
    'calls-live': '2',
    'calls-replayed': '6',
    'calls-failed': '0',
    'restored-from': restoredFrom,
    outputs: fanoutOutputs(tag),
  });
  expect(prompts(ran.requests)).toEqual([reviewPrompt(tag, 'delta'), summaryPrompt(tag)].sort());
  for (const prompt of completed) expect(prompts(ran.requests)).not.toContain(prompt);
  expect(commands(main.stdout, 'error')).toEqual([]);

  const summary = main.summary;
  expect(summary).toContain('✅ reprise: fanout succeeded');
  expect(summary).toContain(`Restored 6 journaled calls from \`${restoredFrom}\``);
  expect(summary).toContain('| step | status | live | replayed | failed |');
  expect(summary).toMatch(/^\| topics \| ✅ succeeded \| 0 \| 1 \| 0 \|/m);
  expect(summary).toMatch(/^\| review \| ✅ succeeded \| 1 \| 5 \| 0 \|/m);
  expect(summary).toMatch(/^\| summary \| ✅ succeeded \| 1 \| 0 \| 0 \|/m);
  expect(summary).toMatch(/```mermaid\nflowchart [\s\S]*\breview\b[\s\S]*\n```/);
  expect(ran.post.code).toBe(0);
}

describe('re-running a failed job', () => {
  it(`replays what attempt 1 finished from the Actions cache, on a fresh runner (${NODE_LABEL})`, async () => {
    const leg = { runId: 1101 };
    const { ran: first, completed } = await failMidway(leg, 's1');
    const key1 = first.main.state['cache-key'] ?? '';
    expect(key1).toMatch(/^reprise-v1-fanout-review-[0-9a-f]{16}-1101-1$/);
    expect(cacheKeysOfRun(1101)).toEqual([key1]);
    expect(artifactNames(1101)).toEqual(['reprise-fanout-review-attempt-1']);

    const second = attempt(leg, 2, 's1');
    expect(existsSync(join(second.workspace, '.reprise'))).toBe(false);
    const ran = await runAttempt(second);
    expectResumed(ran, 's1', completed, key1);
    expect(ran.main.stdout).toContain(`restored 6 calls from the Actions cache (${key1})`);
    expect(commands(ran.main.stdout, 'warning')).toEqual([]);
    expect(cacheKeysOfRun(1101)).toEqual([key1, key1.replace(/-1$/, '-2')]);
    expect(artifactNames(1101)).toEqual([
      'reprise-fanout-review-attempt-1',
      'reprise-fanout-review-attempt-2',
    ]);
  });

  it(`a re-run of a finished run replays every call, saves it to the cache and uploads no artifact (${NODE_LABEL})`, async () => {
    const leg = { runId: 1111 };
    const tag = 's1b';
    const first = await runAttempt(attempt(leg, 1, tag));
    expect(first.main.code, log(first.main)).toBe(0);
    const key1 = first.main.state['cache-key'] ?? '';

    // Another job of the workflow failed; "Re-run failed jobs" runs this one again, with nothing left to do.
    const second = await runAttempt(attempt(leg, 2, tag));
    expect(second.main.code, log(second.main)).toBe(0);
    expect(second.requests).toEqual([]);
    expect(second.main.outputs).toMatchObject({
      status: 'succeeded',
      'restored-from': key1,
      'calls-live': '0',
      'calls-replayed': '8',
      outputs: fanoutOutputs(tag),
    });
    expect(second.main.stdout).toContain(`every call was replayed from ${key1} and none was added`);
    expect(artifactNames(1111)).toEqual(['reprise-fanout-review-attempt-1']);
    const key2 = key1.replace(/-1$/, '-2');
    expect(cacheKeysOfRun(1111)).toEqual([key1, key2]);
    expect(second.post.stdout).toContain('the journal was saved by the main step');

    // The next attempt takes attempt 2's entry (the newest attempt) without looking for artifacts.
    const third = await runAttempt(attempt(leg, 3, tag));
    expect(third.main.outputs).toMatchObject({
      status: 'succeeded',
      'restored-from': key2,
      'calls-live': '0',
    });
    expect(third.main.stdout).not.toContain('journal artifact');
    expect(artifactNames(1111)).toEqual(['reprise-fanout-review-attempt-1']);
  });

  it(`a re-run without the provider's key: a finished run replays, a run with calls left is refused (${NODE_LABEL})`, async () => {
    // The provider names its key (api-key-env), so it needs one; the re-runs are not given it (a rotated or
    // renamed secret, a job that never had it).
    const keyed = (tag: string) => ({
      files: {
        [FANOUT_FILE]: fanoutWorkflow(tag).replace(
          /fake: \{ type: openai, (base-url: "[^"]*") \}/,
          'fake: { type: openai, $1, api-key-env: FAKE_API_KEY }',
        ),
      },
    });
    const withKey = { FAKE_API_KEY: 'sk-e2e-not-a-real-key' };
    const keyless = { FAKE_API_KEY: '' };
    const leg = { runId: 1121, ...keyed('s1c') };
    const first = await runAttempt(attempt({ ...leg, env: withKey }, 1, 's1c'));
    expect(first.main.code, log(first.main)).toBe(0);
    expect(first.requests).toHaveLength(7);
    const second = await runAttempt(attempt({ ...leg, env: keyless }, 2, 's1c'));
    expect(second.main.code, log(second.main)).toBe(0);
    expect(second.requests).toEqual([]);
    expect(second.main.outputs).toMatchObject({
      status: 'succeeded',
      'calls-live': '0',
      'calls-replayed': '8',
      outputs: fanoutOutputs('s1c'),
    });
    expect(second.main.stdout).toContain(
      'provider "fake" cannot be used here, but every call replays from the journal: none is needed',
    );

    // Calls are left to make: the preflight refuses, after the journal is restored and before anything runs.
    const failed = { runId: 1122, ...keyed('s1d') };
    await failMidway({ ...failed, env: withKey }, 's1d');
    const third = await runAttempt(attempt({ ...failed, env: keyless }, 2, 's1d'));
    expect(third.main.code).toBe(1);
    expect(third.requests).toEqual([]);
    expect(third.main.outputs.status).toBe('failed');
    expect(commands(third.main.stdout, 'error').join('\n')).toContain(
      'FAKE_API_KEY: ${{ secrets.FAKE_API_KEY }}',
    );
    expect(third.main.summary).toContain('FAKE_API_KEY is not set');
    expect(third.post.stdout).toContain('nothing to save');
    // Attempt 1's entry is still the newest: the refused attempt saved nothing.
    expect(cacheKeysOfRun(1122)).toHaveLength(1);
  });

  it(`falls back to attempt 1's artifact when the cache entry is gone (${NODE_OTHER_LABEL})`, async () => {
    const leg = { runId: 1201, node: NODE_OTHER.path };
    const { ran: first, completed } = await failMidway(leg, 's2');
    const key1 = first.main.state['cache-key'] ?? '';
    await harness.emulator.deleteCacheEntry(key1);
    expect(cacheKeysOfRun(1201)).toEqual([]);

    const ran = await runAttempt(attempt(leg, 2, 's2'));
    expectResumed(ran, 's2', completed, 'reprise-fanout-review-attempt-1');
    expect(ran.main.stdout).toContain('No journal in the Actions cache');
    expect(ran.main.stdout).toContain('restored 6 calls from the artifact reprise-fanout-review-attempt-1');
  });
});

const SLOW_FILE = '.github/reprise/slow.yml';

/**
 * `first` finishes quickly; then, at once, an agent call the fake server never answers and (in attempt 1
 * only) a 30 s shell step that writes its pid; `last` uses both. On a re-run the fake answers everything.
 */
function slowWorkflow(tag: string): string {
  return `name: slow
providers:
  fake: { type: openai, base-url: "${harness.openai.url}" }
defaults: { provider: fake, model: gpt-fake, retries: 0 }
steps:
  - id: first
    agent: { prompt: "[${tag}] first" }
  - id: slow
    parallel:
      - id: think
        agent: { prompt: "[${tag}] think hard" }
      - id: build
        run: |
          echo $$ > build.pid
          if [ "$GITHUB_RUN_ATTEMPT" = 1 ]; then sleep 30; fi
          echo built
  - id: last
    agent: { prompt: "[${tag}] last: \${{ steps.think.outputs.text }} \${{ steps.build.outputs.stdout }}" }
outputs:
  last: \${{ steps.last.outputs.text }}
`;
}

function slowLeg(runId: number, tag: string): Leg {
  return { runId, files: { [SLOW_FILE]: slowWorkflow(tag) }, inputs: { workflow: SLOW_FILE } };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The re-run of the slow workflow: `first` replays, the rest runs live, and nothing finished runs again. */
function expectSlowResumed(ran: Ran, tag: string, restoredFrom: string): void {
  expect(ran.main.code, log(ran.main)).toBe(0);
  expect(ran.main.outputs).toMatchObject({
    status: 'succeeded',
    'calls-replayed': '1',
    'calls-live': '3',
    'restored-from': restoredFrom,
  });
  expect(prompts(ran.requests)).toEqual(
    [`[${tag}] think hard`, `[${tag}] last: echo: [${tag}] think hard built\n`].sort(),
  );
  expect(JSON.parse(ran.main.outputs.outputs ?? '{}')).toEqual({
    last: `echo: [${tag}] last: echo: [${tag}] think hard built\n`,
  });
  expect(ran.post.code).toBe(0);
}

describe('cancellation and crashes', () => {
  it(`SIGINT mid-call: main stops within the runner's 7.5 s, saves the journal, and the re-run replays it (${NODE_LABEL})`, async () => {
    const tag = 's3i';
    const leg = slowLeg(1301, tag);
    harness.openai.fault({ hang: true, match: `[${tag}] think hard` });
    const first = attempt(leg, 1, tag);
    const mark = harness.openai.requests.length;
    const running = first.startMain();
    const pidFile = join(first.workspace, 'build.pid');
    let buildPid = 0;
    try {
      const pidText = (): string => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : '');
      await waitFor(
        () =>
          /^\d+\n$/.test(pidText()) &&
          harness.requestsSince(mark).some((r) => r.prompt === `[${tag}] think hard`),
        'the hanging call and the slow shell step',
      );
      buildPid = Number(pidText());
      expect(alive(buildPid)).toBe(true);
      const interrupted = performance.now();
      running.child.kill('SIGINT');
      const main = await running.done;
      const stopMs = main.exitedAt - interrupted;
      console.log(`main exited ${Math.round(stopMs)} ms after SIGINT`);
      expect(stopMs).toBeLessThan(7_500);

      expect(main.code, log(main)).toBe(1);
      expect(commands(main.stdout, 'warning')).toContain(
        '::warning::received SIGINT: stopping the run, then saving the journal',
      );
      expect(main.outputs).toMatchObject({ status: 'cancelled', 'calls-live': '1' });
      expect(main.summary).toContain('reprise: slow cancelled');
      // The in-flight call was abandoned and the shell step's process tree killed, not waited for.
      const hung = harness.requestsSince(mark).find((r) => r.prompt === `[${tag}] think hard`);
      expect(hung?.closedEarly).toBe(true);
      expect(alive(buildPid)).toBe(false);

      const key1 = main.state['cache-key'] ?? '';
      expect(main.state.saved).toBe('true');
      expect(cacheKeysOfRun(1301)).toEqual([key1]);
      expect(artifactNames(1301)).toEqual(['reprise-slow-review-attempt-1']);
      const post = await first.post(main.state);
      expect(post.stdout).toContain('the journal was saved by the main step');

      const ran = await runAttempt(attempt(leg, 2, tag));
      expectSlowResumed(ran, tag, key1);
    } finally {
      running.child.kill('SIGKILL');
      if (buildPid && alive(buildPid)) process.kill(-buildPid, 'SIGKILL');
    }
  });

  it(`SIGKILL mid-call: post saves what the journal holds, and the re-run resumes from it (${NODE_LABEL})`, async () => {
    const tag = 's3k';
    // No slow shell step here: a killed main cannot stop its children, and this test must leave none behind.
    const leg: Leg = {
      runId: 1302,
      files: { [SLOW_FILE]: slowWorkflow(tag).replace('sleep 30', 'true') },
      inputs: { workflow: SLOW_FILE },
    };
    harness.openai.fault({ hang: true, match: `[${tag}] think hard` });
    const first = attempt(leg, 1, tag);
    const mark = harness.openai.requests.length;
    const running = first.startMain();
    await waitFor(
      () => harness.requestsSince(mark).some((r) => r.prompt === `[${tag}] think hard`),
      'the hanging call',
    );
    // The journal holds `first` and `build`; `think` is in flight.
    await waitFor(() => running.stdout().includes('build: succeeded'), 'the build step');
    running.child.kill('SIGKILL');
    const main = await running.done;
    expect(main.signal).toBe('SIGKILL');
    expect(main.outputs.status).toBeUndefined();
    // What post compacts with (resume-scope: workflow) was handed over before the run began.
    expect(main.state).toMatchObject({
      saved: 'false',
      artifact: 'reprise-slow-review-attempt-1',
      'resume-scope': 'run',
      'reuse-max-age': String(7 * 24 * 60 * 60 * 1000),
    });
    const key1 = main.state['cache-key'] ?? '';
    expect(key1).toMatch(/^reprise-v1-slow-review-[0-9a-f]{16}-1302-1$/);
    expect(cacheKeysOfRun(1302)).toEqual([]);
    expect(artifactNames(1302)).toEqual([]);

    const post = await first.post(main.state);
    expect(post.code, log(post)).toBe(0);
    expect(post.stdout).toContain('the main step did not finish; saving what the journal holds');
    expect(commands(post.stdout, 'warning')).toEqual([]);
    expect(cacheKeysOfRun(1302)).toEqual([key1]);
    expect(artifactNames(1302)).toEqual(['reprise-slow-review-attempt-1']);

    const ran = await runAttempt(attempt(leg, 2, tag));
    expect(ran.main.stdout).toContain(`restored 2 calls from the Actions cache (${key1})`);
    expect(ran.main.code, log(ran.main)).toBe(0);
    expect(ran.main.outputs).toMatchObject({
      status: 'succeeded',
      'calls-replayed': '2',
      'calls-live': '2',
      'restored-from': key1,
    });
    expect(prompts(ran.requests)).toEqual(
      [`[${tag}] think hard`, `[${tag}] last: echo: [${tag}] think hard built\n`].sort(),
    );
  });
});

describe('isolation and damage', () => {
  it(`keeps matrix legs and jobs of one run apart: no leg replays another's journal (${NODE_LABEL})`, async () => {
    const tag = 's4';
    const runId = 1401;
    // Identical workflow and inputs in every leg, so any journal that leaked would replay (and show).
    const linux: Leg = { runId, inputs: { 'key-suffix': 'linux' } };
    const arm: Leg = { runId, inputs: { 'key-suffix': 'linux-arm' } };
    const otherJob: Leg = { runId, job: 'review-linux' };

    const a = await runAttempt(attempt(linux, 1, tag));
    expect(a.main.code, log(a.main)).toBe(0);
    expect(a.main.outputs).toMatchObject({ status: 'succeeded', 'calls-live': '8', 'restored-from': '' });
    expect(a.main.state.artifact).toBe('reprise-fanout-review-linux-attempt-1');

    // The second leg runs the same calls live: leg `linux`'s journal is not an earlier attempt of it.
    const { ran: b1, completed } = await failMidway(arm, tag);
    expect(b1.main.state['cache-key']).not.toBe(a.main.state['cache-key']);
    expect(b1.main.state.artifact).toBe('reprise-fanout-review-linux-arm-attempt-1');

    // Re-running the failed leg restores its own journal, by cache and by artifact alike.
    const b2 = await runAttempt(attempt(arm, 2, tag));
    expectResumed(b2, tag, completed, b1.main.state['cache-key'] ?? '');
    await harness.emulator.deleteCacheEntry(b1.main.state['cache-key'] ?? '');
    await harness.emulator.deleteCacheEntry(b2.main.state['cache-key'] ?? '');
    const b3 = await runAttempt(attempt(arm, 3, tag));
    expect(b3.main.code, log(b3.main)).toBe(0);
    expect(b3.main.outputs).toMatchObject({
      'restored-from': 'reprise-fanout-review-linux-arm-attempt-2',
      'calls-live': '0',
      'calls-replayed': '8',
    });

    // Another job whose artifact name reads like leg `linux`'s (job `review-linux` vs job `review` + suffix
    // `linux`), re-run with its cache entry gone: it must not take leg `linux`'s artifact for its own.
    const c1 = await runAttempt(attempt(otherJob, 1, tag));
    expect(c1.main.code, log(c1.main)).toBe(0);
    expect(c1.main.outputs).toMatchObject({ 'restored-from': '', 'calls-live': '8', 'calls-replayed': '0' });
    expect(c1.main.state.artifact).toBe(a.main.state.artifact);
    expect(c1.main.state['cache-key']).not.toBe(a.main.state['cache-key']);
    await harness.emulator.deleteCacheEntry(c1.main.state['cache-key'] ?? '');
    const c2 = await runAttempt(attempt(otherJob, 2, tag));
    expect(c2.main.code, log(c2.main)).toBe(0);
    expect(c2.main.outputs).toMatchObject({ 'restored-from': '', 'calls-live': '8', 'calls-replayed': '0' });
    expect(commands(c2.main.stdout, 'warning')).toContainEqual(
      expect.stringMatching(
        /journal artifact reprise-fanout-review-linux-attempt-1 was uploaded for .*"suffix":"linux".*; ignoring it/,
      ),
    );
  });

  it(`a damaged journal under the right cache key: warns, heals, replays only intact calls, succeeds (${NODE_LABEL})`, async () => {
    const tag = 's5';
    const leg = { runId: 1501 };
    const { ran: first } = await failMidway(leg, tag);
    const key1 = first.main.state['cache-key'] ?? '';
    const lines = readFileSync(first.main.outputs.journal ?? '', 'utf8').split('\n');
    const lineOf = (item: number): number =>
      lines.findIndex(
        (line) =>
          line.includes('"t":"call"') && line.includes('"step":"review"') && line.includes(`"item":${item},`),
      );
    const alpha = lineOf(0);
    const beta = lineOf(1);
    expect(alpha).toBeGreaterThan(0);
    expect(beta).toBeGreaterThan(0);
    // alpha's line becomes garbage; beta's stays a whole line (its checksum recomputed, as a forger would)
    // whose result is no agent result.
    lines[alpha] = `${lines[alpha]?.slice(0, 40)}\u0000garbage`;
    const { crc: _crc, ...tampered } = JSON.parse(lines[beta] ?? '') as Record<string, unknown>;
    lines[beta] = withChecksum(JSON.stringify({ ...tampered, result: { bogus: true } }));
    const damaged = join(harness.root, 'damaged-journal.jsonl');
    writeFileSync(damaged, lines.join('\n'));

    // Replace the cache entry with the damaged journal, saved under the same key as the action saves it.
    await harness.emulator.deleteCacheEntry(key1);
    const saver = await attempt(leg, 1, tag).post({
      journal: damaged,
      'cache-key': key1,
      artifact: '',
      saved: 'false',
    });
    expect(saver.code).toBe(0);
    expect(cacheKeysOfRun(1501)).toEqual([key1]);

    const ran = await runAttempt(attempt(leg, 2, tag));
    const { main } = ran;
    expect(main.code, log(main)).toBe(0);
    const warnings = commands(main.stdout, 'warning');
    expect(warnings).toEqual([
      `::warning::journal from the Actions cache (${key1}): line ${alpha + 1} is not valid JSON; ignored`,
      expect.stringMatching(
        /^::warning::the journal from the Actions cache \(.*\) was damaged: set aside as .*journal\.jsonl\.damaged-\S+ \(kept in this attempt's artifact\); a fresh journal continues with its \d+ valid calls$/,
      ),
      '::warning::journaled result of step "review" item 1 is not replayed: it is not a whole agent result; running it again',
    ]);
    // The original is kept beside the journal, which is whole again.
    const runDir = dirname(main.outputs.journal ?? '');
    const aside = readdirSync(runDir).filter((name) => name.startsWith('journal.jsonl.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(runDir, aside[0] ?? ''), 'utf8')).toBe(lines.join('\n'));
    expect(parseJournal(readFileSync(main.outputs.journal ?? '', 'utf8'), 'journal').problems).toEqual([]);
    expect(main.summary).toContain(`The journal restored from the Actions cache (${key1}) was damaged.`);
    expect(main.summary).toContain(`line ${alpha + 1} is not valid JSON`);
    expect(main.outputs).toMatchObject({
      status: 'succeeded',
      'restored-from': key1,
      'calls-live': '4',
      'calls-replayed': '4',
      outputs: fanoutOutputs(tag),
    });
    expect(prompts(ran.requests)).toEqual(
      [
        reviewPrompt(tag, 'alpha'),
        reviewPrompt(tag, 'beta'),
        reviewPrompt(tag, 'delta'),
        summaryPrompt(tag),
      ].sort(),
    );
  });

  it(`an unreadable cache archive: warns, falls back to the artifact, succeeds (${NODE_LABEL})`, async () => {
    const tag = 's5b';
    const leg = { runId: 1502 };
    const { ran: first, completed } = await failMidway(leg, tag);
    await harness.emulator.corruptCacheEntry(
      first.main.state['cache-key'] ?? '',
      Buffer.from('this is not a zstd-compressed tar archive\n'),
    );
    const ran = await runAttempt(attempt(leg, 2, tag));
    expect(commands(ran.main.stdout, 'warning')).toContainEqual(
      expect.stringContaining('Could not restore the journal from the Actions cache'),
    );
    expectResumed(ran, tag, completed, 'reprise-fanout-review-attempt-1');
  });

  it(`the cache service answering 500: warnings only; re-runs resume from the artifact, or run everything live without one (${NODE_LABEL})`, async () => {
    const tag = 's6';
    const leg: Leg = { runId: 1601, preload: [pathToFileURL(SHORT_RETRY_SLEEPS).href] };
    const logged = harness.emulator.requestLog.length;
    harness.emulator.failCache('status500');
    try {
      const { ran: first, completed } = await failMidway(leg, tag);
      const warnings = commands(first.main.stdout, 'warning');
      expect(warnings).toContainEqual(
        expect.stringContaining('Could not restore the journal from the Actions cache'),
      );
      expect(warnings).toContainEqual(expect.stringContaining('was not saved to the Actions cache'));
      // Only the workflow's own failure is an error annotation; the cache outage is not.
      for (const error of commands(first.main.stdout, 'error'))
        expect(error).toContain('step "review": 1 of 6 items failed');
      const failed = harness.emulator.requestLog
        .slice(logged)
        .filter((entry) => entry.service.endsWith('CacheService') && entry.status === 500);
      // The toolkit's own retries ran (5 tries for the lookup, 5 for the reservation), only faster.
      expect(failed.length).toBeGreaterThanOrEqual(10);
      expect(cacheKeysOfRun(1601)).toEqual([]);
      expect(artifactNames(1601)).toEqual(['reprise-fanout-review-attempt-1']);

      const ran = await runAttempt(attempt(leg, 2, tag));
      expect(commands(ran.main.stdout, 'warning')).toContainEqual(
        expect.stringContaining('Could not restore the journal from the Actions cache'),
      );
      expectResumed(ran, tag, completed, 'reprise-fanout-review-attempt-1');

      // With artifacts off as well there is nothing to resume from: every call runs live, and the run
      // still succeeds, with the two cache warnings and nothing worse.
      const bare = await runAttempt(attempt({ ...leg, inputs: { artifacts: 'false' } }, 3, tag));
      expect(bare.main.code, log(bare.main)).toBe(0);
      expect(bare.main.outputs).toMatchObject({
        status: 'succeeded',
        'restored-from': '',
        'calls-live': '8',
        'calls-replayed': '0',
        outputs: fanoutOutputs(tag),
      });
      expect(commands(bare.main.stdout, 'error')).toEqual([]);
      expect(commands(bare.main.stdout, 'warning')).toEqual([
        expect.stringContaining('Could not restore the journal from the Actions cache'),
        expect.stringContaining('was not saved to the Actions cache'),
      ]);
      expect(bare.post.code).toBe(0);
    } finally {
      harness.emulator.failCache('none');
    }
  });
  it(`the newest earlier attempt wins: attempt 2's artifact over attempt 1's cache entry (${NODE_LABEL})`, async () => {
    const tag = 's6n';
    const leg: Leg = { runId: 1602, preload: [pathToFileURL(SHORT_RETRY_SLEEPS).href] };
    const { ran: first } = await failMidway(leg, tag);
    const key1 = first.main.state['cache-key'] ?? '';

    // Attempt 2 runs while the cache is down: it resumes from attempt 1's artifact, finishes `delta`, fails
    // at the summary, and can save its journal only as an artifact.
    harness.openai.fault({ status: 400, match: `[${tag}] summarize:`, message: 'summary refused' });
    harness.emulator.failCache('status500');
    let second: Ran;
    try {
      second = await runAttempt(attempt(leg, 2, tag));
    } finally {
      harness.emulator.failCache('none');
    }
    expect(second.main.code, log(second.main)).toBe(1);
    expect(second.main.outputs).toMatchObject({
      status: 'failed',
      'restored-from': 'reprise-fanout-review-attempt-1',
      'calls-replayed': '6',
      'calls-live': '1',
      'calls-failed': '1',
    });
    expect(cacheKeysOfRun(1602)).toEqual([key1]);
    expect(artifactNames(1602)).toEqual([
      'reprise-fanout-review-attempt-1',
      'reprise-fanout-review-attempt-2',
    ]);

    // Attempt 3, cache healthy: attempt 1's entry is found, but attempt 2's journal is newer and holds more.
    const third = await runAttempt(attempt(leg, 3, tag));
    expect(third.main.code, log(third.main)).toBe(0);
    expect(third.main.outputs).toMatchObject({
      status: 'succeeded',
      'restored-from': 'reprise-fanout-review-attempt-2',
      'calls-replayed': '7',
      'calls-live': '1',
      outputs: fanoutOutputs(tag),
    });
    expect(prompts(third.requests)).toEqual([summaryPrompt(tag)]);
    expect(commands(third.main.stdout, 'warning')).toEqual([]);
  });
});

describe('an invalid workflow', () => {
  it(`fails main with file:line:col annotations, and nothing runs (${NODE_OTHER_LABEL})`, async () => {
    const file = '.github/reprise/broken.yml';
    const broken = `name: broken
providers:
  fake: { type: openai, base-url: "${harness.openai.url}" }
defaults: { provider: fake, model: gpt-fake }
steps:
  - id: touch
    run: touch ran.txt
  - id: think
    agent:
      prompt: "[s7] hello"
      temprature: 0.2
  - id: later
    retries: three
    run: echo later
`;
    const step = harness.attempt({
      runId: 1701,
      attempt: 1,
      files: { [file]: broken },
      inputs: { workflow: file },
      env: PROVIDER_ENV,
      node: NODE_OTHER.path,
    });
    const ran = await runAttempt(step);
    const { main } = ran;
    expect(main.code, log(main)).toBe(1);
    // The first line comes before the workflow is read, and claims nothing about it; no run starts.
    expect(main.stdout.split('\n')[0]).toBe(`reprise: checking ${file} (job review, attempt 1)`);
    expect(main.stdout).not.toContain('reprise: run ');
    const errors = commands(main.stdout, 'error');
    const at = (line: number, col: number): RegExp =>
      new RegExp(
        `^::error (?=.*\\bfile=\\.github/reprise/broken\\.yml\\b)(?=.*\\bline=${line}\\b)(?=.*\\bcol=${col}\\b)[^:]*::`,
      );
    expect(errors.find((error) => at(11, 7).test(error))).toContain('temprature');
    expect(errors.find((error) => at(13, 14).test(error))).toContain('retries');
    // One annotation per problem, no generic one on top; the summary and `status` say what went wrong.
    expect(errors).toHaveLength(2);
    expect(main.summary).toContain('reprise: .github/reprise/broken.yml failed');
    expect(main.summary).toContain('.github/reprise/broken.yml has 2 problem(s)');

    expect(existsSync(join(step.workspace, 'ran.txt'))).toBe(false);
    expect(ran.requests).toEqual([]);
    expect(main.outputs).toEqual({ status: 'failed' });
    expect(main.state).toEqual({});
    expect(cacheKeysOfRun(1701)).toEqual([]);
    expect(artifactNames(1701)).toEqual([]);
    expect(ran.post.code).toBe(0);
    expect(ran.post.stdout).toContain('main never started a run; nothing to save');
  });
});

describe('an internal error', () => {
  it(`fails main with a stack trace that names src/ lines, not the minified bundle (${NODE_LABEL})`, async () => {
    const file = '.github/reprise/hello.yml';
    // RUNNER_TEMP is a file: creating the run directory under it fails, as no user mistake would.
    const notADirectory = join(harness.root, 'runner-temp-is-a-file');
    writeFileSync(notADirectory, '');
    const step = harness.attempt({
      runId: 1702,
      attempt: 1,
      files: { [file]: 'name: hello\nsteps:\n  - id: hi\n    run: echo hi\n' },
      inputs: { workflow: file },
      env: { RUNNER_TEMP: notADirectory },
    });
    const main = await step.main();
    expect(main.code, log(main)).toBe(1);
    const [error] = commands(main.stdout, 'error');
    expect(error).toContain('ENOTDIR');
    expect(error).toMatch(/at async attempt \(\/\S+\/src\/action\/main\.ts:\d+:\d+\)/);
    expect(error).not.toMatch(/dist\/chunks\/main-/);
    expect(main.outputs.status).toBe('failed');
  });
});

// The action's post step after main was killed, with an injected host and backends: it saves what the
// journal holds, and a journal saved for later runs is compacted first (no size cap: it does not know what
// the killed attempt replayed). Main hands it what it needs in its state.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ActionHost } from '../../src/action/host.js';
import { runMain } from '../../src/action/main.js';
import { runPost } from '../../src/action/post.js';
import { STATE } from '../../src/action/state.js';
import { COMPACT_MAX_BYTES } from '../../src/journal/compact.js';
import { serializeEvents } from '../../src/journal/merge.js';
import type { JournalBackends } from '../../src/stores/journal-store.js';
import { callEvent, runEvent } from '../journal/events.js';
import { tempDir } from '../journal/temp.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-12-01T06:00:00.000Z');
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
const answer = (key: string, days: number, text = key) =>
  callEvent(key, {
    at: ago(days),
    result: { text, model: 'gpt-test', usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } },
  });

/** A host whose state is `state`, and what the step logged. */
function host(
  state: Record<string, string>,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
) {
  const logged = { info: [] as string[], warnings: [] as string[], state: { ...state } };
  const actionHost: ActionHost = {
    env: { PATH: process.env.PATH, ...env },
    getInput: (name) => inputs[name] ?? '',
    setOutput: () => {},
    setFailed: (message) => logged.warnings.push(`failed: ${message}`),
    markFailed: () => {},
    info: (message) => logged.info.push(message),
    warning: (message) => logged.warnings.push(message),
    error: (message) => logged.warnings.push(`error: ${message}`),
    startGroup: () => {},
    endGroup: () => {},
    setSecret: () => {},
    saveState: (name, value) => {
      logged.state[name] = value;
    },
    getState: (name) => logged.state[name] ?? '',
    writeSummary: async () => {},
  };
  return { host: actionHost, logged };
}

/** Backends that keep what was saved: the journal's text under its cache key. */
function recordingBackends() {
  const saved: Record<string, string> = {};
  const backends: JournalBackends = {
    restoreCache: async () => undefined,
    saveCache: async ({ journalPath, key }) => {
      saved[key] = readFileSync(journalPath, 'utf8');
      return true;
    },
    downloadEarlierAttempt: async () => undefined,
    uploadArtifact: async () => true,
    downloadShards: async () => [],
  };
  return { backends, saved };
}

// Earlier runs' lines (one expired, one a duplicate of a line the killed run journaled, and young calls past
// the size cap between them), then the lines of the killed run's first attempt, which reuses them.
const earlier = [
  runEvent({ runId: 'week-1', at: ago(14) }),
  answer('old', 14),
  runEvent({ runId: 'week-2', at: ago(7), reuses: ['week-1'] }),
  answer('always', 7),
  ...Array.from({ length: 9 }, (_, index) => answer(`big-${index}`, 7, 'x'.repeat(1024 * 1024))),
];
const own = [
  runEvent({ runId: 'week-3', at: ago(0), reuses: ['week-1', 'week-2'] }),
  answer('always', 0),
  answer('news', 0),
];

function killedRun(state: Record<string, string>) {
  const path = join(tempDir('reprise-action-post-'), 'journal.jsonl');
  writeFileSync(path, serializeEvents([...earlier, ...own]));
  return host({
    [STATE.journal]: path,
    [STATE.cacheKey]: 'reprise-weekly-key',
    [STATE.artifact]: '',
    [STATE.identity]: JSON.stringify({ name: 'weekly', job: 'report' }),
    [STATE.saved]: 'false',
    ...state,
  });
}

const keysOf = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.includes('"t":"call"'))
    .map((line) => (JSON.parse(line) as { key: string }).key);

describe('the action post after main was killed', () => {
  it('compacts a journal saved for later runs: expired and duplicate lines go, none for size, its own stay', async () => {
    const { host: post, logged } = killedRun({
      [STATE.scope]: 'workflow',
      [STATE.reuseMaxAge]: String(10 * DAY),
    });
    const { backends, saved } = recordingBackends();
    await runPost(post, backends);

    const text = saved['reprise-weekly-key']!;
    expect(Buffer.byteLength(text)).toBeGreaterThan(COMPACT_MAX_BYTES);
    expect(keysOf(text)).toEqual([
      ...Array.from({ length: 9 }, (_, index) => `big-${index}`),
      'always',
      'news',
    ]);
    // The killed run's own lines, byte for byte: its re-run replays them and counts what they spent.
    expect(text.endsWith(serializeEvents(own))).toBe(true);
    expect(logged.info.join('\n')).toContain(
      "journal compacted: 13 → 11 calls, 9.0 MiB → 9.0 MiB (dropped earlier runs' calls: 1 duplicate, 1 older than reuse-max-age)",
    );
    expect(logged.warnings).toEqual([]);
  });

  it('saves the journal as it is when no later run restores it, or main never said how old a call may be', async () => {
    for (const state of [
      { [STATE.scope]: 'run', [STATE.reuseMaxAge]: String(10 * DAY) },
      { [STATE.scope]: 'workflow', [STATE.reuseMaxAge]: '' },
    ]) {
      const { host: post } = killedRun(state);
      const { backends, saved } = recordingBackends();
      await runPost(post, backends);
      expect(saved['reprise-weekly-key']).toBe(serializeEvents([...earlier, ...own]));
    }
  });
});

describe('the action main hands post how to compact', () => {
  it('saves resume-scope and the effective reuse-max-age in its state', async () => {
    const dir = tempDir('reprise-action-post-main-');
    mkdirSync(join(dir, 'workspace', '.github', 'reprise'), { recursive: true });
    writeFileSync(
      join(dir, 'workspace', '.github', 'reprise', 'ok.yml'),
      'name: ok\nreuse-max-age: 3d\nsteps:\n  - id: say\n    run: echo hi\n',
    );
    const env = {
      GITHUB_WORKSPACE: join(dir, 'workspace'),
      RUNNER_TEMP: join(dir, 'temp'),
      GITHUB_JOB: 'test',
    };
    const inputs = { workflow: '.github/reprise/ok.yml', cache: 'false', artifacts: 'false' };
    const { host: main, logged } = host({}, { ...inputs, 'resume-scope': 'workflow' }, env);
    await runMain(main);
    expect(logged.state[STATE.scope]).toBe('workflow');
    expect(logged.state[STATE.reuseMaxAge]).toBe(String(3 * DAY));

    // The reuse-max-age input is over the workflow's.
    const { host: over, logged: overLogged } = host({}, { ...inputs, 'reuse-max-age': '36h' }, env);
    await runMain(over);
    expect(overLogged.state[STATE.scope]).toBe('run');
    expect(overLogged.state[STATE.reuseMaxAge]).toBe(String(1.5 * DAY));
  });
});

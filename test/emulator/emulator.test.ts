import { DefaultArtifactClient } from '@actions/artifact';
import { restoreCache, saveCache } from '@actions/cache';
import * as core from '@actions/core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  inputEnv,
  readOutputFile,
  readStateFile,
  startActionsEmulator,
  stateEnv,
  type ActionsEmulator,
  type RunnerEnvOptions,
} from './actions-emulator.js';
import { defaultRunBackendId } from './runner-env.js';
import { stepHarness, type Step, type StepHarness } from './steps.js';

let emulator: ActionsEmulator;
let root: string;
let steps: StepHarness;

beforeAll(async () => {
  emulator = await startActionsEmulator();
  root = mkdtempSync(join(tmpdir(), 'reprise-emulator-test-'));
  steps = stepHarness(emulator, root);
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

afterEach(() => steps?.leave());

function enterStep(opts: Partial<RunnerEnvOptions> = {}): Step {
  return steps.enter(opts);
}

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

describe('@actions/cache against the emulator', () => {
  it('round-trips a directory under its exact key', async () => {
    const step = enterStep();
    const dir = join(step.workspace, 'data');
    writeTree(dir, { 'a.txt': 'alpha\n', 'nested/b.json': '{"b":1}\n' });

    const id = await saveCache([dir], 'exact-key-1');
    expect(id).toBeGreaterThan(0);
    expect(emulator.cacheEntries()).toContainEqual(expect.objectContaining({ key: 'exact-key-1' }));

    rmSync(dir, { recursive: true });
    expect(await restoreCache([dir], 'exact-key-1')).toBe('exact-key-1');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(readFileSync(join(dir, 'nested/b.json'), 'utf8')).toBe('{"b":1}\n');

    const calls = emulator.requestLog.map((r) => `${r.method} ${r.status}`);
    expect(calls).toEqual(
      expect.arrayContaining([
        'CreateCacheEntry 200',
        'FinalizeCacheEntryUpload 200',
        'GetCacheEntryDownloadURL 200',
      ]),
    );
  });

  it('matches restore keys as prefixes, newest entry first, but prefers the exact key', async () => {
    const step = enterStep();
    const dir = join(step.workspace, 'data');
    writeTree(dir, { 'v.txt': 'one' });
    expect(await saveCache([dir], 'prefix-run-1')).toBeGreaterThan(0);
    writeTree(dir, { 'v.txt': 'two' });
    expect(await saveCache([dir], 'prefix-run-2')).toBeGreaterThan(0);

    rmSync(dir, { recursive: true });
    expect(await restoreCache([dir], 'prefix-run-3', ['prefix-run-'])).toBe('prefix-run-2');
    expect(readFileSync(join(dir, 'v.txt'), 'utf8')).toBe('two');

    expect(await restoreCache([dir], 'prefix-run-1', ['prefix-run-'])).toBe('prefix-run-1');
    expect(readFileSync(join(dir, 'v.txt'), 'utf8')).toBe('one');

    // As GitHub documents: after the exact key, the key itself is tried as a prefix.
    expect(await restoreCache([dir], 'prefix-run')).toBe('prefix-run-2');

    // Restore keys are tried in order: the first that matches anything wins.
    expect(await restoreCache([dir], 'nothing', ['prefix-none-', 'prefix-run-1'])).toBe('prefix-run-1');
  });

  it('reports a miss as undefined, also for the same key under other paths (another version)', async () => {
    const step = enterStep();
    const dir = join(step.workspace, 'data');
    writeTree(dir, { 'x.txt': 'x' });
    expect(await saveCache([dir], 'versioned-key')).toBeGreaterThan(0);

    expect(await restoreCache([dir], 'no-such-key', ['no-such-prefix-'])).toBeUndefined();
    expect(await restoreCache([join(step.workspace, 'other')], 'versioned-key')).toBeUndefined();
  });

  it('does not crash on a duplicate save: the service answers 409 already_exists', async () => {
    const step = enterStep();
    const dir = join(step.workspace, 'data');
    writeTree(dir, { 'x.txt': 'first' });
    expect(await saveCache([dir], 'duplicate-key')).toBeGreaterThan(0);
    writeTree(dir, { 'x.txt': 'second' });

    expect(await saveCache([dir], 'duplicate-key')).toBe(-1);
    const last = emulator.requestLog.filter((r) => r.method === 'CreateCacheEntry').at(-1);
    expect(last?.status).toBe(409);
    expect(emulator.cacheEntries().filter((e) => e.key === 'duplicate-key')).toHaveLength(1);

    rmSync(dir, { recursive: true });
    expect(await restoreCache([dir], 'duplicate-key')).toBe('duplicate-key');
    expect(readFileSync(join(dir, 'x.txt'), 'utf8')).toBe('first');
  });

  it('falls back to gzip without zstd, which makes a different cache version', async () => {
    const step = enterStep();
    const gzipOnly = join(step.runnerTemp, 'gzip-only-bin');
    mkdirSync(gzipOnly);
    symlinkSync('/usr/bin/tar', join(gzipOnly, 'tar'));
    symlinkSync('/usr/bin/gzip', join(gzipOnly, 'gzip'));
    const fullPath = process.env['PATH'] ?? '';
    const dir = join(step.workspace, 'data');
    writeTree(dir, { 'z.txt': 'zipped' });
    try {
      process.env['PATH'] = gzipOnly;
      expect(await saveCache([dir], 'gzip-key')).toBeGreaterThan(0);
      rmSync(dir, { recursive: true });
      expect(await restoreCache([dir], 'gzip-key')).toBe('gzip-key');
      expect(readFileSync(join(dir, 'z.txt'), 'utf8')).toBe('zipped');
    } finally {
      process.env['PATH'] = fullPath;
    }
    // With zstd on PATH the same paths hash to another version: the gzip entry is invisible.
    expect(await restoreCache([dir], 'gzip-key')).toBeUndefined();
    const versions = emulator.requestLog
      .filter((r) => r.method === 'GetCacheEntryDownloadURL')
      .slice(-2)
      .map((r) => (r.request as { version?: string }).version);
    expect(versions[0]).not.toBe(versions[1]);
  });
});

describe('@actions/artifact against the emulator', () => {
  it('uploads, lists and downloads an artifact, visible to later attempts of the run only', async () => {
    const step = enterStep({ runId: 2000, attempt: 1 });
    const src = join(step.workspace, 'out');
    writeTree(src, { 'journal.jsonl': '{"v":1}\n', 'sub/notes.txt': 'hello' });
    const client = new DefaultArtifactClient();
    const uploaded = await client.uploadArtifact(
      'reprise-demo-build-attempt-1',
      [join(src, 'journal.jsonl'), join(src, 'sub/notes.txt')],
      src,
    );
    const id = uploaded.id;
    if (id === undefined) throw new Error('uploadArtifact returned no id');
    expect(id).toBeGreaterThan(0);
    expect(uploaded.size).toBeGreaterThan(0);
    expect(emulator.artifacts(defaultRunBackendId(2000))).toEqual([
      expect.objectContaining({ name: 'reprise-demo-build-attempt-1', id, size: uploaded.size }),
    ]);

    enterStep({ runId: 2000, attempt: 2 });
    const listed = await new DefaultArtifactClient().listArtifacts();
    expect(listed.artifacts.map((a) => a.name)).toEqual(['reprise-demo-build-attempt-1']);
    const artifact = listed.artifacts[0];
    expect(artifact?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const dest = join(root, 'download-1');
    const result = await new DefaultArtifactClient().downloadArtifact(id, {
      path: dest,
      expectedHash: artifact?.digest,
    });
    expect(result.digestMismatch).toBe(false);
    expect(readFileSync(join(dest, 'journal.jsonl'), 'utf8')).toBe('{"v":1}\n');
    expect(readFileSync(join(dest, 'sub/notes.txt'), 'utf8')).toBe('hello');

    enterStep({ runId: 2001, attempt: 1 });
    expect((await new DefaultArtifactClient().listArtifacts()).artifacts).toEqual([]);
  });

  it('rejects a second artifact of the same name in the run with 409', async () => {
    const step = enterStep({ runId: 2100, attempt: 1 });
    writeTree(step.workspace, { 'f.txt': 'f' });
    const file = join(step.workspace, 'f.txt');
    await new DefaultArtifactClient().uploadArtifact('same-name', [file], step.workspace);
    enterStep({ runId: 2100, attempt: 2 });
    await expect(
      new DefaultArtifactClient().uploadArtifact('same-name', [file], step.workspace),
    ).rejects.toThrow(/409.*already exists/);
  });
});

describe('runner environment', () => {
  it('passes inputs and state the way @actions/core reads and writes them', () => {
    const main = enterStep();
    Object.assign(process.env, inputEnv({ 'resume scope': 'workflow' }));
    expect(core.getInput('resume scope')).toBe('workflow');

    core.saveState('journal', '/tmp/x.jsonl');
    core.saveState('multi', 'line one\nline two');
    core.setOutput('summary', 'a\nb=c');
    core.setOutput('plain', 'p');
    const state = readStateFile(main.env['GITHUB_STATE'] ?? '');
    expect(state).toEqual({ journal: '/tmp/x.jsonl', multi: 'line one\nline two' });
    expect(readOutputFile(main.env['GITHUB_OUTPUT'] ?? '')).toEqual({ summary: 'a\nb=c', plain: 'p' });

    enterStep();
    Object.assign(process.env, stateEnv(state));
    expect(core.getState('multi')).toBe('line one\nline two');
  });

  it('answers calls without a valid runtime token with a JSON Twirp error', async () => {
    const res = await fetch(
      new URL('twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry', emulator.resultsUrl),
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer forged.token.value' },
        body: JSON.stringify({ key: 'k', version: 'v' }),
      },
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'unauthenticated' });
  });
});

describe('lifecycle', () => {
  it('close() stops the Twirp server and Azurite', async () => {
    const other = await startActionsEmulator();
    const env = other.runnerEnv({
      runId: 1,
      attempt: 1,
      job: 'j',
      workspace: join(root, 'lc/ws'),
      runnerTemp: join(root, 'lc/t'),
    });
    const signed = await fetch(
      new URL('twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry', other.resultsUrl),
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${env['ACTIONS_RUNTIME_TOKEN']}`,
        },
        body: JSON.stringify({ key: 'k', version: 'v' }),
      },
    );
    const { signed_upload_url: uploadUrl } = (await signed.json()) as { signed_upload_url: string };
    expect(uploadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\//);

    await other.close();
    await expect(fetch(other.resultsUrl)).rejects.toThrow();
    await expect(fetch(uploadUrl)).rejects.toThrow();
  }, 60_000);
});

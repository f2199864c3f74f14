// The action's restore policy over backends of the test's own: which journal an attempt replays from.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPACT_MAX_BYTES } from '../../src/journal/compact.js';
import { serializeEvents } from '../../src/journal/merge.js';
import { parseJournal, readJournalFile } from '../../src/journal/reader.js';
import { cacheKeys } from '../../src/stores/actions-cache.js';
import {
  ActionJournalStore,
  type JournalBackends,
  type RestorePlan,
} from '../../src/stores/journal-store.js';
import { callEvent, lines, runEvent } from '../journal/events.js';
import { tempDir } from '../journal/temp.js';

const IDENTITY = { name: 'pr-review', job: 'review' };

/** A cache holding `entries` (key → journal text) and artifacts of earlier attempts (attempt → journal text). */
function fakeBackends(cache: Record<string, string>, artifacts: Record<number, string>) {
  const calls: string[] = [];
  const backends: JournalBackends = {
    restoreCache: async ({ journalPath, key, restoreKeys }) => {
      calls.push('cache');
      const matchedKey =
        key in cache
          ? key
          : restoreKeys
              .map((prefix) =>
                Object.keys(cache)
                  .filter((k) => k.startsWith(prefix))
                  .sort()
                  .pop(),
              )
              .find((k) => k !== undefined);
      if (matchedKey === undefined) return undefined;
      writeFileSync(journalPath, cache[matchedKey]!);
      return { matchedKey };
    },
    saveCache: async () => true,
    downloadEarlierAttempt: async ({ currentAttempt, destDir, after, otherRun }) => {
      if (otherRun) {
        calls.push(`run ${otherRun.runId}`);
        mkdirSync(destDir, { recursive: true });
        const file = join(destDir, 'journal.jsonl');
        writeFileSync(file, journal('from-other-run'));
        return { name: 'reprise-pr-review-review-attempt-2', files: [file] };
      }
      calls.push(`artifact after ${after ?? 0}`);
      const attempt = Object.keys(artifacts)
        .map(Number)
        .filter((n) => n < currentAttempt && n > (after ?? 0))
        .sort((a, b) => b - a)[0];
      if (attempt === undefined) return undefined;
      mkdirSync(destDir, { recursive: true });
      const file = join(destDir, 'journal.jsonl');
      writeFileSync(file, artifacts[attempt]!);
      return { name: `reprise-pr-review-review-attempt-${attempt}`, files: [file] };
    },
    uploadArtifact: async () => true,
    downloadShards: async () => [],
  };
  return { backends, calls };
}

function plan(attempt: number, overrides: Partial<RestorePlan> = {}): RestorePlan {
  const dir = tempDir('reprise-journal-store-');
  return {
    journalPath: join(dir, 'journal.jsonl'),
    workDir: dir,
    workflowName: 'pr-review',
    scope: 'run',
    cache: true,
    artifacts: true,
    keys: cacheKeys({ ...IDENTITY, runId: 12, attempt, scope: 'run' }),
    identity: IDENTITY,
    attempt,
    ...overrides,
  };
}

const journal = (...keys: string[]) => lines(runEvent(), ...keys.map((key) => callEvent(key)));
const silent = { info: () => undefined, warning: () => undefined };
const keyOf = (attempt: number) => cacheKeys({ ...IDENTITY, runId: 12, attempt, scope: 'run' }).key;

describe('ActionJournalStore.restore', () => {
  it('takes the cache entry of the previous attempt without looking at artifacts', async () => {
    const { backends, calls } = fakeBackends({ [keyOf(1)]: journal('a') }, { 1: journal('a') });
    const p = plan(2);
    const restored = await new ActionJournalStore(silent, backends).restore(p);
    expect(restored.source).toBe(keyOf(1));
    expect([...restored.read.calls.keys()]).toEqual(['a']);
    expect(readFileSync(p.journalPath, 'utf8')).toBe(journal('a'));
    expect(calls).toEqual(['cache']);
  });

  it('prefers an artifact of a later attempt than the cache entry (that attempt could not save to the cache)', async () => {
    const { backends, calls } = fakeBackends({ [keyOf(1)]: journal('a') }, { 2: journal('a', 'b') });
    const restored = await new ActionJournalStore(silent, backends).restore(plan(3));
    expect(restored.source).toBe('reprise-pr-review-review-attempt-2');
    expect([...restored.read.calls.keys()]).toEqual(['a', 'b']);
    expect(calls).toEqual(['cache', 'artifact after 1']);
  });

  it('falls back to the older cache entry when no later artifact exists', async () => {
    const { backends } = fakeBackends({ [keyOf(1)]: journal('a') }, {});
    const restored = await new ActionJournalStore(silent, backends).restore(plan(3));
    expect(restored.source).toBe(keyOf(1));
  });

  it('sets aside a journal of another workflow and says so', async () => {
    const foreign = lines(runEvent({ workflow: 'other' }), callEvent('x'));
    const { backends } = fakeBackends({ [keyOf(1)]: foreign }, {});
    const warnings: string[] = [];
    const store = new ActionJournalStore(
      { info: () => undefined, warning: (m) => warnings.push(m) },
      backends,
    );
    const restored = await store.restore(plan(2));
    expect(restored.source).toBeUndefined();
    expect(restored.read.calls.size).toBe(0);
    expect(warnings.join('\n')).toMatch(/written by workflow "other"/);
  });

  it('resume-from: continues another run when this run has no journal of its own yet', async () => {
    const { backends, calls } = fakeBackends({}, {});
    const other = { runId: 77, repository: 'o/r', token: 't' };
    const restored = await new ActionJournalStore(silent, backends).restore(plan(1, { resumeFrom: other }));
    expect(restored.source).toBe('run 77: reprise-pr-review-review-attempt-2');
    expect([...restored.read.calls.keys()]).toEqual(['from-other-run']);
    expect(calls).toEqual(['cache', 'run 77']);
  });

  it('resume-from: refuses to start over when the other run has no journal to continue', async () => {
    const { backends } = fakeBackends({}, {});
    backends.downloadEarlierAttempt = async () => undefined;
    const other = { runId: 77, repository: 'o/r', token: 't' };
    await expect(
      new ActionJournalStore(silent, backends).restore(plan(1, { resumeFrom: other })),
    ).rejects.toThrow(/resume-from 77: no journal .* could be restored .*nothing was run/);
  });

  it("resume-from: a re-run continues its own journal, which already holds the other run's", async () => {
    const { backends, calls } = fakeBackends({ [keyOf(1)]: journal('a') }, {});
    const other = { runId: 77, repository: 'o/r', token: 't' };
    const restored = await new ActionJournalStore(silent, backends).restore(plan(2, { resumeFrom: other }));
    expect(restored.source).toBe(keyOf(1));
    expect(calls).toEqual(['cache']);
  });

  it("resume-scope workflow: an earlier run's entry starts a reusing run; this run's own attempt resumes", async () => {
    const earlierKey = cacheKeys({ ...IDENTITY, runId: 11, attempt: 3, scope: 'run' }).key;
    const workflowKeys = (attempt: number) =>
      cacheKeys({ ...IDENTITY, runId: 12, attempt, scope: 'workflow' });
    const { backends } = fakeBackends({ [earlierKey]: journal('a') }, {});
    const store = new ActionJournalStore(silent, backends);
    const first = await store.restore(plan(1, { scope: 'workflow', keys: workflowKeys(1) }));
    expect(first).toMatchObject({ source: earlierKey, fromEarlierRun: true });

    const { backends: withOwn } = fakeBackends({ [earlierKey]: journal('a'), [keyOf(1)]: journal('a') }, {});
    const second = await new ActionJournalStore(silent, withOwn).restore(
      plan(2, { scope: 'workflow', keys: workflowKeys(2) }),
    );
    expect(second.source).toBe(keyOf(1));
    expect(second.fromEarlierRun).toBeUndefined();
  });

  it("resume-from with resume-scope workflow: continues the named run, not some earlier run's entry", async () => {
    const earlierKey = cacheKeys({ ...IDENTITY, runId: 11, attempt: 1, scope: 'run' }).key;
    const { backends, calls } = fakeBackends({ [earlierKey]: journal('a') }, {});
    const other = { runId: 77, repository: 'o/r', token: 't' };
    const restored = await new ActionJournalStore(silent, backends).restore(
      plan(1, {
        scope: 'workflow',
        keys: cacheKeys({ ...IDENTITY, runId: 12, attempt: 1, scope: 'workflow' }),
        resumeFrom: other,
      }),
    );
    expect(restored.source).toBe('run 77: reprise-pr-review-review-attempt-2');
    expect(restored.fromEarlierRun).toBeUndefined();
    expect(calls).toEqual(['cache', 'run 77']);
  });

  it('restores nothing with resume-scope off', async () => {
    const { backends, calls } = fakeBackends({ [keyOf(1)]: journal('a') }, {});
    const restored = await new ActionJournalStore(silent, backends).restore(plan(2, { scope: 'off' }));
    expect(restored.source).toBeUndefined();
    expect(calls).toEqual([]);
  });
});

describe('ActionJournalStore.compactForLaterRuns', () => {
  const DAY = 24 * 60 * 60 * 1000;
  const ago = (days: number) => new Date(Date.parse('2026-12-01T06:00:00.000Z') - days * DAY).toISOString();
  // Two earlier runs, then this run's first attempt, which reuses them (its header names them).
  const answer = (key: string, days: number) =>
    callEvent(key, {
      at: ago(days),
      result: { text: key, model: 'gpt-test', usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } },
    });
  const carried = () =>
    lines(
      runEvent({ runId: 'week-1', at: ago(14) }),
      answer('old', 14),
      answer('kept', 14),
      runEvent({ runId: 'week-2', at: ago(7) }),
      answer('kept', 7),
      answer('young', 7),
      runEvent({ runId: 'week-3', at: ago(0), reuses: ['week-1', 'week-2'] }),
      answer('own', 0),
    );
  const keysIn = (path: string) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"t":"call"'))
      .map((line) => (JSON.parse(line) as { key: string }).key);

  it('drops expired and duplicate lines of earlier runs, keeps this run whole, and says what it dropped', async () => {
    const path = join(tempDir('reprise-journal-store-compact-'), 'journal.jsonl');
    writeFileSync(path, carried());
    const described = await new ActionJournalStore(silent).compactForLaterRuns({
      journalPath: path,
      scope: 'workflow',
      saveToCache: true,
      maxAgeMs: 10 * DAY,
    });
    expect(keysIn(path).sort()).toEqual(['kept', 'own', 'young']);
    expect(described).toMatch(/5 → 3 calls.*older than reuse-max-age/);
  });

  it('without the size cap (maxBytes: Infinity) drops expired and duplicate lines, none for size', async () => {
    // Young earlier-run calls past the default cap: with it, the oldest would go.
    const big = (key: string) =>
      callEvent(key, {
        at: ago(7),
        result: {
          text: 'x'.repeat(1024 * 1024),
          model: 'gpt-test',
          usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 },
        },
      });
    const text = lines(
      runEvent({ runId: 'week-1', at: ago(14) }),
      answer('old', 14),
      runEvent({ runId: 'week-2', at: ago(7) }),
      ...Array.from({ length: 9 }, (_, index) => big(`big-${index}`)),
      answer('own', 7),
      runEvent({ runId: 'week-3', at: ago(0), reuses: ['week-1', 'week-2'] }),
      answer('own', 0),
    );
    expect(text.length).toBeGreaterThan(COMPACT_MAX_BYTES);
    const path = join(tempDir('reprise-journal-store-compact-'), 'journal.jsonl');
    writeFileSync(path, text);
    const described = await new ActionJournalStore(silent).compactForLaterRuns({
      journalPath: path,
      scope: 'workflow',
      saveToCache: true,
      maxAgeMs: 10 * DAY,
      maxBytes: Infinity,
    });
    expect(keysIn(path).sort()).toEqual([...Array.from({ length: 9 }, (_, index) => `big-${index}`), 'own']);
    expect(described).toMatch(/12 → 10 calls.*1 duplicate, 1 older than reuse-max-age\)$/);
  });

  it('leaves the journal alone when no later run will restore it', async () => {
    for (const target of [
      { scope: 'run' as const, saveToCache: true },
      { scope: 'workflow' as const, saveToCache: false },
    ]) {
      const path = join(tempDir('reprise-journal-store-compact-'), 'journal.jsonl');
      writeFileSync(path, carried());
      const store = new ActionJournalStore(silent);
      expect(
        await store.compactForLaterRuns({ journalPath: path, maxAgeMs: 10 * DAY, ...target }),
      ).toBeUndefined();
      expect(readFileSync(path, 'utf8')).toBe(carried());
    }
  });
});

describe('ActionJournalStore.restoreShards', () => {
  it('reads every shard artifact, named by its artifact, and refuses one holding another shard', async () => {
    const dir = tempDir('reprise-journal-store-shards-');
    const shardJournal = (index: number) =>
      lines(runEvent({ shard: { index, total: 2 } }), callEvent(`k${index}`));
    const backends = {
      ...fakeBackends({}, {}).backends,
      downloadShards: async () =>
        [0, 1].map((index) => {
          const file = join(dir, `s${index}`, 'journal.jsonl');
          mkdirSync(join(dir, `s${index}`), { recursive: true });
          // The artifact of shard 1 holds shard 0's journal.
          writeFileSync(file, shardJournal(0));
          return {
            name: `reprise-x-shard-${index}-of-2-attempt-1`,
            files: [file],
            shard: { index, total: 2 },
            attempt: 1,
          };
        }),
    };
    const warnings: string[] = [];
    const reads = await new ActionJournalStore(
      { info: () => undefined, warning: (m) => warnings.push(m) },
      backends,
    ).restoreShards({
      workflowName: 'pr-review',
      attempt: 1,
      workDir: dir,
    });
    expect(reads.map((read) => [read.source, read.calls.size])).toEqual([
      ['the artifact reprise-x-shard-0-of-2-attempt-1', 1],
      ['the artifact reprise-x-shard-1-of-2-attempt-1', 0],
    ]);
    expect(warnings).toEqual([
      'the artifact reprise-x-shard-1-of-2-attempt-1 holds the journal of shard 0/2; ignoring it',
    ]);
  });
});

describe('ActionJournalStore heals a damaged restored journal', () => {
  /** A version 2 journal of calls `keys` whose results read `result of <key>`. */
  const checked = (...keys: string[]) =>
    serializeEvents([runEvent({ v: 2 }), ...keys.map((key) => callEvent(key))]);

  function recording() {
    const log = { info: [] as string[], warning: [] as string[] };
    return {
      log,
      store: { info: (m: string) => log.info.push(m), warning: (m: string) => log.warning.push(m) },
    };
  }

  it('keeps and replays the valid calls, sets the original aside in the run directory, and reports it', async () => {
    const original = checked('a', 'b', 'c').replace('result of b', 'result of X') + '{"t":"call","key":"d"\n';
    const { backends } = fakeBackends({ [keyOf(1)]: original }, {});
    const { log, store } = recording();
    const p = plan(2);
    const restored = await new ActionJournalStore(store, backends).restore(p);

    expect([...restored.read.calls.keys()]).toEqual(['a', 'c']);
    // The journal this attempt appends to (and saves) is clean: only the valid events, checksummed.
    const clean = await readJournalFile(p.journalPath);
    expect(clean.problems).toEqual([]);
    expect([...clean.calls.keys()]).toEqual(['a', 'c']);
    // The original, byte for byte, beside it.
    const aside = readdirSync(p.workDir).filter((name) => name.startsWith('journal.jsonl.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(p.workDir, aside[0]!), 'utf8')).toBe(original);
    expect(restored.damaged).toEqual([
      {
        from: `the Actions cache (${keyOf(1)})`,
        aside: join(p.workDir, aside[0]!),
        kept: 2,
        problems: [
          expect.objectContaining({ line: 3, message: expect.stringMatching(/line 3 fails its checksum/) }),
          expect.objectContaining({ line: 5, message: expect.stringMatching(/line 5 is not valid JSON/) }),
        ],
      },
    ]);
    expect(log.warning.join('\n')).toMatch(/line 3 fails its checksum/);
    expect(log.warning.join('\n')).toMatch(
      /the journal from the Actions cache .* was damaged: set aside as .*journal\.jsonl\.damaged-.*; a fresh journal continues with its 2 valid calls/,
    );
  });

  it('a journal whose header is damaged is set aside for audit, and the next source is tried', async () => {
    const { backends } = fakeBackends({ [keyOf(1)]: '\uFEFF' + checked('a') }, { 2: checked('a', 'b') });
    const { log, store } = recording();
    const p = plan(3);
    const restored = await new ActionJournalStore(store, backends).restore(p);
    expect(restored.source).toBe('reprise-pr-review-review-attempt-2');
    expect([...restored.read.calls.keys()]).toEqual(['a', 'b']);
    expect(restored.damaged).toMatchObject([{ from: `the Actions cache (${keyOf(1)})`, kept: 0 }]);
    expect(readFileSync(restored.damaged[0]!.aside, 'utf8')).toBe('\uFEFF' + checked('a'));
    expect(log.warning.join('\n')).toMatch(/damaged and nothing in it can be replayed: set aside as/);
  });

  it('a whole journal is left as it is, and a journal of another workflow is not kept', async () => {
    const { backends } = fakeBackends({ [keyOf(1)]: checked('a') }, {});
    const p = plan(2);
    const restored = await new ActionJournalStore(silent, backends).restore(p);
    expect(restored.damaged).toEqual([]);
    expect(readFileSync(p.journalPath, 'utf8')).toBe(checked('a'));
    expect(readdirSync(p.workDir).filter((name) => name.includes('damaged'))).toEqual([]);
  });

  it('the next save puts the clean journal in the cache and the damaged original in the artifact', async () => {
    const original = checked('a', 'b').replace('result of a', 'result of Z');
    const saved: { cache?: string; artifact?: string[] } = {};
    const { backends } = fakeBackends({ [keyOf(1)]: original }, {});
    backends.saveCache = async ({ journalPath }) => {
      saved.cache = readFileSync(journalPath, 'utf8');
      return true;
    };
    backends.uploadArtifact = async ({ files, rootDir }) => {
      saved.artifact = files.map((file) => file.slice(rootDir.length + 1));
      return true;
    };
    const store = new ActionJournalStore(silent, backends);
    const p = plan(2);
    await store.restore(p);
    await store.save({
      journalPath: p.journalPath,
      cacheKey: keyOf(2),
      artifact: 'reprise-pr-review-review-attempt-2',
    });
    expect(parseJournal(saved.cache ?? '', 'cache')).toMatchObject({ problems: [] });
    expect([...parseJournal(saved.cache ?? '', 'cache').calls.keys()]).toEqual(['b']);
    expect(saved.artifact).toEqual(['journal.jsonl', expect.stringMatching(/^journal\.jsonl\.damaged-/)]);
  });

  it('the artifact carries the spill files of outputs cut at the cap', async () => {
    const saved: { artifact?: string[] } = {};
    const { backends } = fakeBackends({}, {});
    backends.uploadArtifact = async ({ files, rootDir }) => {
      saved.artifact = files.map((file) => file.slice(rootDir.length + 1));
      return true;
    };
    const p = plan(1);
    const store = new ActionJournalStore(silent, backends);
    await store.restore(p);
    writeFileSync(p.journalPath, checked('a'));
    writeFileSync(join(p.workDir, 'output-flood.stdout'), 'whole, redacted');
    await store.save({
      journalPath: p.journalPath,
      cacheKey: '',
      artifact: 'reprise-pr-review-review-attempt-1',
    });
    expect(saved.artifact).toEqual(['journal.jsonl', 'output-flood.stdout']);
  });
});

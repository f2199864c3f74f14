import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CACHE_STAGING_PATH,
  cacheKeys,
  restoreJournal,
  saveJournal,
  type CacheKeyParts,
  type StoreLog,
} from '../../src/stores/actions-cache.js';
import { startActionsEmulator, type ActionsEmulator } from '../emulator/actions-emulator.js';
import { stepHarness, type StepHarness } from '../emulator/steps.js';
import { shortenRetrySleeps } from '../emulator/timers.js';

let emulator: ActionsEmulator;
let root: string;
let steps: StepHarness;

beforeAll(async () => {
  emulator = await startActionsEmulator();
  root = mkdtempSync(join(tmpdir(), 'reprise-cache-store-test-'));
  steps = stepHarness(emulator, root);
}, 60_000);

afterEach(() => steps?.leave());

afterAll(async () => {
  await emulator?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

function recordingLog(): StoreLog & { infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (m) => infos.push(m), warning: (m) => warnings.push(m) };
}

function parts(over: Partial<CacheKeyParts> = {}): CacheKeyParts {
  return {
    name: 'pr-review',
    job: 'review',
    runId: 5000,
    attempt: 1,
    scope: 'run',
    ...over,
  };
}

let runCounter = 6000;
/** A run id no other test uses, so entries of other tests never interfere. */
function freshRun(): number {
  return ++runCounter;
}

/** Writes this attempt's journal where the local store keeps it, then saves it. */
async function saveAttempt(p: CacheKeyParts, content: string, log = recordingLog()): Promise<boolean> {
  const step = steps.enter({ runId: p.runId, attempt: p.attempt, job: p.job });
  const journalPath = join(step.workspace, '.reprise', 'runs', 'r1', 'journal.jsonl');
  mkdirSync(dirname(journalPath), { recursive: true });
  writeFileSync(journalPath, content);
  const saved = await saveJournal({ journalPath, key: cacheKeys(p).key, log });
  steps.leave();
  return saved;
}

async function restoreAttempt(
  p: CacheKeyParts,
  log = recordingLog(),
): Promise<{ result: Awaited<ReturnType<typeof restoreJournal>>; content?: string; workspace: string }> {
  const step = steps.enter({ runId: p.runId, attempt: p.attempt, job: p.job });
  const journalPath = join(step.runnerTemp, 'restored', 'journal.jsonl');
  const { key, restoreKeys } = cacheKeys(p);
  const result = await restoreJournal({ journalPath, key, restoreKeys, log });
  const content = existsSync(journalPath) ? readFileSync(journalPath, 'utf8') : undefined;
  steps.leave();
  return { result, content, workspace: step.workspace };
}

describe('cacheKeys', () => {
  it('builds the documented key and restore prefixes per scope', () => {
    const run = cacheKeys(parts({ runId: 123, attempt: 2 }));
    expect(run.key).toMatch(/^reprise-v1-pr-review-review-[0-9a-f]{16}-123-2$/);
    expect(run.restoreKeys).toEqual([run.key.slice(0, -1)]);

    const workflow = cacheKeys(parts({ runId: 123, attempt: 2, scope: 'workflow' }));
    expect(workflow.key).toBe(run.key);
    expect(workflow.restoreKeys).toEqual([run.key.slice(0, -1), run.key.slice(0, -'123-2'.length)]);

    expect(cacheKeys(parts({ scope: 'off' })).restoreKeys).toEqual([]);
  });

  it('keeps run 12 and run 123 apart; the workflow scope finds any run of the same job, not another job', () => {
    const run12 = cacheKeys(parts({ runId: 12 }));
    const run123 = cacheKeys(parts({ runId: 123 }));
    expect(run123.key.startsWith(run12.restoreKeys[0] ?? '')).toBe(false);

    // The script is no part of the key: a later run of an edited workflow still finds run 12's entry.
    const later = cacheKeys(parts({ runId: 13, scope: 'workflow' }));
    expect(run12.key.startsWith(later.restoreKeys[0] ?? '')).toBe(false);
    expect(run12.key.startsWith(later.restoreKeys[1] ?? '')).toBe(true);
    for (const other of [
      parts({ runId: 12, job: 'other' }),
      parts({ runId: 12, suffix: 'leg-2' }),
      parts({ runId: 12, name: 'other' }),
      parts({ runId: 12, shard: { index: 0, total: 2 } }),
    ]) {
      expect(cacheKeys(other).key.startsWith(later.restoreKeys[1] ?? '')).toBe(false);
    }
  });

  it('never lets two jobs share keys through lossy slugs', () => {
    const a = cacheKeys(parts({ job: 'test', suffix: 'a-b' }));
    const b = cacheKeys(parts({ job: 'test-a', suffix: 'b' }));
    const c = cacheKeys(parts({ job: 'test', suffix: 'a/b' }));
    expect(new Set([a.key, b.key, c.key]).size).toBe(3);
    expect(cacheKeys(parts({ job: 'test', suffix: 'a-b' }))).toEqual(a);
  });

  it('sanitizes every part and stays under 512 characters', () => {
    const long = 'x'.repeat(2000);
    const { key, restoreKeys } = cacheKeys(
      parts({
        name: `a,b c/${long}`,
        job: `jöb,${long}`,
        suffix: `os=ubuntu, node=20 ${long}`,
        scope: 'workflow',
      }),
    );
    for (const k of [key, ...restoreKeys]) {
      expect(k.length).toBeLessThan(512);
      expect(k).not.toContain(',');
      expect(k).toMatch(/^[A-Za-z0-9._-]+$/);
    }
    expect(key).toContain('-a_b_c_x');
    expect(cacheKeys(parts({ job: 'jöb' })).key).toContain('-job-');
    expect(cacheKeys(parts({ name: '', job: '***' })).key).toMatch(/^reprise-v1-_-_-[0-9a-f]{16}-5000-1$/);
  });
});

describe('journal in the Actions cache (emulated)', () => {
  it('restores on attempt 2 the journal saved by attempt 1, and leaves no staging behind', async () => {
    const runId = freshRun();
    expect(await saveAttempt(parts({ runId, attempt: 1 }), '{"v":1,"attempt":1}\n')).toBe(true);
    expect(emulator.cacheEntries().map((e) => e.key)).toContain(cacheKeys(parts({ runId, attempt: 1 })).key);

    const log = recordingLog();
    const { result, content, workspace } = await restoreAttempt(parts({ runId, attempt: 2 }), log);
    expect(result).toEqual({ matchedKey: cacheKeys(parts({ runId, attempt: 1 })).key });
    expect(content).toBe('{"v":1,"attempt":1}\n');
    expect(log.warnings).toEqual([]);
    expect(existsSync(join(workspace, CACHE_STAGING_PATH))).toBe(false);
    expect(existsSync(join(workspace, '.reprise'))).toBe(false);
  });

  it('picks the newest earlier attempt', async () => {
    const runId = freshRun();
    expect(await saveAttempt(parts({ runId, attempt: 1 }), 'one\n')).toBe(true);
    expect(await saveAttempt(parts({ runId, attempt: 2 }), 'two\n')).toBe(true);
    const { result, content } = await restoreAttempt(parts({ runId, attempt: 3 }));
    expect(result?.matchedKey).toBe(cacheKeys(parts({ runId, attempt: 2 })).key);
    expect(content).toBe('two\n');
  });

  it('scope run does not see another run; scope workflow does, preferring this run', async () => {
    const first = freshRun();
    expect(await saveAttempt(parts({ runId: first, attempt: 1 }), 'earlier run\n')).toBe(true);

    const second = freshRun();
    const log = recordingLog();
    const miss = await restoreAttempt(parts({ runId: second, attempt: 1, scope: 'run' }), log);
    expect(miss.result).toBeUndefined();
    expect(miss.content).toBeUndefined();
    expect(log.warnings).toEqual([]);
    expect(log.infos.join('\n')).toMatch(/No journal in the Actions cache/);

    const hit = await restoreAttempt(parts({ runId: second, attempt: 1, scope: 'workflow' }));
    expect(hit.result?.matchedKey).toBe(cacheKeys(parts({ runId: first, attempt: 1 })).key);
    expect(hit.content).toBe('earlier run\n');

    // Once this run has its own entry, it wins over the newer entry of yet another run.
    expect(await saveAttempt(parts({ runId: second, attempt: 1 }), 'this run\n')).toBe(true);
    const third = freshRun();
    expect(await saveAttempt(parts({ runId: third, attempt: 1 }), 'other run, newer\n')).toBe(true);
    const own = await restoreAttempt(parts({ runId: second, attempt: 2, scope: 'workflow' }));
    expect(own.content).toBe('this run\n');

    const off = await restoreAttempt(parts({ runId: second, attempt: 2, scope: 'off' }));
    expect(off.result).toBeUndefined();
  });

  it('keeps matrix legs (suffixes) apart in every scope', async () => {
    const runId = freshRun();
    expect(await saveAttempt(parts({ runId, attempt: 1, suffix: 'linux' }), 'linux\n')).toBe(true);
    expect(await saveAttempt(parts({ runId, attempt: 1, suffix: 'linux-arm' }), 'linux-arm\n')).toBe(true);

    for (const scope of ['run', 'workflow'] as const) {
      const windows = await restoreAttempt(parts({ runId, attempt: 2, suffix: 'windows', scope }));
      expect(windows.result).toBeUndefined();
      const linux = await restoreAttempt(parts({ runId, attempt: 2, suffix: 'linux', scope }));
      expect(linux.content).toBe('linux\n');
    }
  });

  it('warns once and returns false when the attempt key already exists', async () => {
    const runId = freshRun();
    expect(await saveAttempt(parts({ runId, attempt: 1 }), 'first\n')).toBe(true);
    const log = recordingLog();
    expect(await saveAttempt(parts({ runId, attempt: 1 }), 'second\n', log)).toBe(false);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/not saved.*\(409\) Conflict: cache entry with the same key/);
  });

  it('treats a corrupt entry as a miss with a warning', async () => {
    const runId = freshRun();
    expect(await saveAttempt(parts({ runId, attempt: 1 }), 'good\n')).toBe(true);
    await emulator.corruptCacheEntry(
      cacheKeys(parts({ runId, attempt: 1 })).key,
      Buffer.from('not an archive'),
    );
    const log = recordingLog();
    const { result, content } = await restoreAttempt(parts({ runId, attempt: 2 }), log);
    expect(result).toBeUndefined();
    expect(content).toBeUndefined();
    expect(log.warnings.join('\n')).toMatch(/Could not restore the journal/);
  });

  it('turns a cache service outage (500) into warnings, without throwing', async () => {
    const runId = freshRun();
    emulator.failCache('status500');
    const restoreTimers = shortenRetrySleeps();
    try {
      const before = emulator.requestLog.length;
      const saveLog = recordingLog();
      expect(await saveAttempt(parts({ runId, attempt: 1 }), 'x\n', saveLog)).toBe(false);
      expect(saveLog.warnings).toHaveLength(1);
      expect(saveLog.warnings[0]).toMatch(/not saved.*500/);

      const restoreLog = recordingLog();
      const { result } = await restoreAttempt(parts({ runId, attempt: 2 }), restoreLog);
      expect(result).toBeUndefined();
      expect(restoreLog.warnings).toHaveLength(1);
      expect(restoreLog.warnings[0]).toMatch(/Could not restore the journal.*500/);

      // The toolkit retried each call five times before giving up.
      const calls = emulator.requestLog.slice(before).map((r) => `${r.method} ${r.status}`);
      expect(calls).toEqual([
        ...Array<string>(5).fill('CreateCacheEntry 500'),
        ...Array<string>(5).fill('GetCacheEntryDownloadURL 500'),
      ]);
    } finally {
      restoreTimers();
      emulator.failCache('none');
    }
  });

  it('lets concurrent saves take turns through the one staging path', async () => {
    const runId = freshRun();
    const step = steps.enter({ runId, attempt: 1, job: 'review' });
    const log = recordingLog();
    const legs = ['x', 'y', 'z'];
    const saved = await Promise.all(
      legs.map((suffix) => {
        const journalPath = join(step.runnerTemp, `journal-${suffix}.jsonl`);
        writeFileSync(journalPath, `leg ${suffix}\n`);
        return saveJournal({ journalPath, key: cacheKeys(parts({ runId, suffix })).key, log });
      }),
    );
    expect(saved).toEqual([true, true, true]);
    steps.leave();
    for (const suffix of legs) {
      const { content } = await restoreAttempt(parts({ runId, attempt: 2, suffix }));
      expect(content).toBe(`leg ${suffix}\n`);
    }
  });

  it('warns on GitHub Enterprise Server, where cache v2 does not exist', async () => {
    steps.enter();
    process.env['GITHUB_SERVER_URL'] = 'https://ghes.example.com';
    const log = recordingLog();
    const restored = await restoreJournal({
      journalPath: join(root, 'ghes.jsonl'),
      key: 'k',
      restoreKeys: [],
      log,
    });
    expect(restored).toBeUndefined();
    expect(log.warnings).toEqual([expect.stringMatching(/cache service is not available/)]);
  });

  it('warns when the job has no cache service at all', async () => {
    steps.enter();
    delete process.env['ACTIONS_RESULTS_URL'];
    const log = recordingLog();
    const journalPath = join(root, 'nowhere.jsonl');
    writeFileSync(journalPath, 'x\n');
    expect(await saveJournal({ journalPath, key: 'k', log })).toBe(false);
    expect(await restoreJournal({ journalPath, key: 'k', restoreKeys: [], log })).toBeUndefined();
    expect(log.warnings).toHaveLength(2);
    expect(log.warnings[0]).toMatch(/not available/);
  });

  it('warns when the journal to save does not exist', async () => {
    const step = steps.enter();
    const log = recordingLog();
    const saved = await saveJournal({ journalPath: join(step.workspace, 'missing.jsonl'), key: 'k', log });
    expect(saved).toBe(false);
    expect(log.warnings[0]).toMatch(/ENOENT/);
  });
});

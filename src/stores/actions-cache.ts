// The journal in the GitHub Actions cache. Cache entries are immutable, so each attempt saves
// under its own key and the next attempt restores the newest earlier one by prefix.
// Caching is optional: every failure here is a warning and a miss, never an exception.
import type { ShardId } from '../journal/types.js';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

// @actions/cache and the HTTP and Azure stack under it are most of dist/: imported on first use, so the
// action's first log line, and a post step with nothing to save, do not wait for them.
const toolkit = () => import('@actions/cache');

export interface StoreLog {
  info(message: string): void;
  warning(message: string): void;
}

/**
 * `run`: earlier attempts of this run; `workflow`: also the newest earlier run of the same workflow name, job
 * and suffix, whatever its script (an edited workflow still reuses every call whose key matches).
 */
export type ResumeScope = 'run' | 'workflow' | 'off';

export interface CacheKeyParts {
  /** The reprise workflow's name. */
  name: string;
  /** GITHUB_JOB. */
  job: string;
  /** Tells matrix legs (and several reprise steps of one job) apart. */
  suffix?: string;
  /** A shard of a sharded run saves and restores under keys of its own. */
  shard?: ShardId;
  runId: string | number;
  attempt: number;
  scope: ResumeScope;
}

export interface CacheKeys {
  key: string;
  restoreKeys: string[];
}

/**
 * The cache hashes the `paths` argument into the entry's version, and only entries of the
 * same version are found. So the journal always travels through this one relative path,
 * whatever the run's journal path is; it resolves against the working directory, which is
 * GITHUB_WORKSPACE for an action step.
 */
export const CACHE_STAGING_PATH = '.reprise/cache-staging/journal.jsonl';

const KEY_PREFIX = 'reprise-v1';
const PART_MAX = 64;

/**
 * A key or artifact-name part: letters, digits, `.`, `_` and `-` (no commas, nothing the
 * artifact service rejects), at most 64 characters. Lossy on purpose; keys stay apart through
 * the identity hash.
 */
export function slug(part: string): string {
  const cleaned = part
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, PART_MAX)
    .replace(/[._-]+$/, '');
  return cleaned || '_';
}

/**
 * `reprise-v1-<name>-<job>[-<suffix>]-<hash>-<run_id>-<run_attempt>`. `<hash>` is 16 hex of sha256 over the
 * raw name, job, suffix and shard: slugs are lossy, and two jobs whose slugs collide (job `a` + suffix `b-c`,
 * job `a-b` + suffix `c`) must never replay each other's journals. Restore keys end in `-`, so run 12 never
 * matches run 123. The script is not part of the key: attempts of one run share their commit anyway, and
 * `resume-scope: workflow` must find the journal of an earlier run whose workflow was edited since (content
 * keys decide which of its calls still match).
 */
export function cacheKeys(parts: CacheKeyParts): CacheKeys {
  const identity = createHash('sha256')
    .update(
      JSON.stringify([
        'journal',
        parts.name,
        parts.job,
        parts.suffix ?? '',
        ...(parts.shard ? [parts.shard.index, parts.shard.total] : []),
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  const shard = parts.shard ? [`shard-${parts.shard.index}-of-${parts.shard.total}`] : [];
  const who = [parts.name, parts.job, ...(parts.suffix ? [parts.suffix] : []), ...shard].map(slug).join('-');
  const sameJob = `${KEY_PREFIX}-${who}-${identity}-`;
  const sameRun = `${sameJob}${slug(String(parts.runId))}-`;
  const key = `${sameRun}${slug(String(parts.attempt))}`;
  switch (parts.scope) {
    case 'run':
      return { key, restoreKeys: [sameRun] };
    case 'workflow':
      // This run's newest attempt first; else the newest entry of any run of this job.
      return { key, restoreKeys: [sameRun, sameJob] };
    case 'off':
      return { key, restoreKeys: [] };
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// What @actions/cache says when it gives up: it swallows the error, returns undefined or -1
// and reports through @actions/core: `::warning::`/`::error::` annotations, or plain lines for
// a reservation failure or a cache-mode skip. A failed reservation always reads "another job
// may be creating this cache"; the real cause (a 409, or a 500 after five tries) is only in a
// debug line, which is recorded but left in the log.
const TOOLKIT_PROBLEM =
  /^(?:::(?:warning|error)(?: [^:]*)?::(.*)|((?:Failed to (?:save|restore)|Cache (?:save|restore) skipped):.*))$/s;
const TOOLKIT_DETAIL = /^::debug::(Failed to reserve cache: .*)$/s;

function unescapeCommandData(data: string): string {
  return data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/**
 * Runs `fn` while taking the toolkit's failure reports off stdout, so the caller can tell a
 * miss from an outage and report it once, as a warning of its own (the toolkit would turn a
 * 5xx into an `::error::` annotation). Everything else (progress, `::add-mask::`) passes.
 */
async function withToolkitProblems<T>(fn: () => Promise<T>): Promise<{ value: T; problems: string[] }> {
  const stdout = process.stdout;
  const original = stdout.write;
  const problems: string[] = [];
  const intercept = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string') {
      const line = chunk.replace(/\r?\n$/, '');
      const detail = TOOLKIT_DETAIL.exec(line);
      if (detail) problems.push(unescapeCommandData(detail[1] ?? ''));
      const match = TOOLKIT_PROBLEM.exec(line);
      if (match) {
        problems.push(match[1] !== undefined ? unescapeCommandData(match[1]) : (match[2] ?? ''));
        const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
        callback?.();
        return true;
      }
    }
    return Reflect.apply(original, stdout, [chunk, ...rest]) as boolean;
  };
  stdout.write = intercept as typeof stdout.write;
  try {
    return { value: await fn(), problems };
  } finally {
    stdout.write = original;
  }
}

// The staging path is fixed and stdout is patched while the toolkit runs, so cache operations
// of this process take turns.
let turn: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const run = turn.then(fn, fn);
  turn = run.catch(() => undefined);
  return run;
}

/** Removes the staging directory, and `.reprise/` too when nothing else lives there. */
async function removeStaging(staging: string): Promise<void> {
  await rm(dirname(staging), { recursive: true, force: true });
  await rmdir(dirname(dirname(staging))).catch(() => undefined);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

const UNAVAILABLE =
  'the GitHub Actions cache service is not available to this job (ACTIONS_RESULTS_URL is not set)';

export interface RestoreJournalOptions {
  journalPath: string;
  key: string;
  restoreKeys: string[];
  log: StoreLog;
}

/**
 * Restores the newest matching journal to `journalPath` (replacing what is there). The file
 * is whatever the entry held: the caller validates it before replaying anything.
 */
export function restoreJournal(opts: RestoreJournalOptions): Promise<{ matchedKey: string } | undefined> {
  return oneAtATime(() => restoreJournalNow(opts));
}

async function restoreJournalNow(opts: RestoreJournalOptions): Promise<{ matchedKey: string } | undefined> {
  const { journalPath, key, restoreKeys, log } = opts;
  const { isFeatureAvailable, restoreCache } = await toolkit();
  if (!isFeatureAvailable()) {
    log.warning(`Could not restore the journal: ${UNAVAILABLE}.`);
    return undefined;
  }
  const staging = resolve(CACHE_STAGING_PATH);
  try {
    await rm(dirname(staging), { recursive: true, force: true });
    const { value: matchedKey, problems } = await withToolkitProblems(() =>
      restoreCache([CACHE_STAGING_PATH], key, restoreKeys),
    );
    if (matchedKey === undefined) {
      if (problems.length > 0) {
        log.warning(`Could not restore the journal from the Actions cache: ${problems.join('; ')}`);
      } else {
        log.info(
          `No journal in the Actions cache for ${[key, ...restoreKeys.map((k) => `${k}*`)].join(', ')}.`,
        );
      }
      return undefined;
    }
    for (const problem of problems) log.warning(`Actions cache: ${problem}`);
    if (!(await exists(staging))) {
      log.warning(`The Actions cache entry ${matchedKey} holds no journal; ignoring it.`);
      return undefined;
    }
    await mkdir(dirname(resolve(journalPath)), { recursive: true });
    await moveFile(staging, journalPath);
    log.info(`Restored the journal from the Actions cache entry ${matchedKey}.`);
    return { matchedKey };
  } catch (err) {
    log.warning(`Could not restore the journal from the Actions cache: ${errorMessage(err)}`);
    return undefined;
  } finally {
    await removeStaging(staging).catch(() => undefined);
  }
}

export interface SaveJournalOptions {
  journalPath: string;
  key: string;
  log: StoreLog;
}

/** Saves the journal under `key`. False (with a warning) when the cache did not take it. */
export function saveJournal(opts: SaveJournalOptions): Promise<boolean> {
  return oneAtATime(() => saveJournalNow(opts));
}

async function saveJournalNow(opts: SaveJournalOptions): Promise<boolean> {
  const { journalPath, key, log } = opts;
  const { isFeatureAvailable, saveCache } = await toolkit();
  if (!isFeatureAvailable()) {
    log.warning(`Could not save the journal: ${UNAVAILABLE}.`);
    return false;
  }
  const staging = resolve(CACHE_STAGING_PATH);
  try {
    await rm(dirname(staging), { recursive: true, force: true });
    await mkdir(dirname(staging), { recursive: true });
    await copyFile(journalPath, staging);
    const { value: cacheId, problems } = await withToolkitProblems(() =>
      saveCache([CACHE_STAGING_PATH], key),
    );
    if (cacheId === -1) {
      const why = problems.length > 0 ? problems.join('; ') : 'the cache service did not accept it';
      log.warning(`The journal was not saved to the Actions cache as ${key}: ${why}`);
      return false;
    }
    for (const problem of problems) log.warning(`Actions cache: ${problem}`);
    log.info(`Saved the journal to the Actions cache as ${key}.`);
    return true;
  } catch (err) {
    log.warning(`The journal was not saved to the Actions cache as ${key}: ${errorMessage(err)}`);
    return false;
  } finally {
    await removeStaging(staging).catch(() => undefined);
  }
}

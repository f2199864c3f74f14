// Where the action's journal comes from and goes to: one restore policy (the Actions cache, this run's
// artifacts, another run's artifact) and one save, over backends passed in. The action's entry points
// call restore() and save(); tests pass backends of their own, as actions/cache passes a state provider.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { compactJournalFile, describeCompaction, type CompactOptions } from '../journal/compact.js';
import { healJournal, isDamaged, setAside } from '../journal/heal.js';
import {
  emptyJournalRead,
  journalBelongsTo,
  readJournalFile,
  summariseProblems,
  type JournalProblem,
  type JournalRead,
} from '../journal/reader.js';
import { StoreError } from './errors.js';
import {
  restoreJournal as restoreFromCache,
  saveJournal as saveToCache,
  type CacheKeys,
  type ResumeScope,
  type RestoreJournalOptions,
  type SaveJournalOptions,
  type StoreLog,
} from './actions-cache.js';
import {
  artifactPrefix,
  downloadNewestEarlierAttempt,
  downloadShardArtifacts,
  uploadRunArtifact,
  type DownloadShardsOptions,
  type DownloadedShard,
  type ArtifactNameParts,
  type DownloadEarlierAttemptOptions,
  type DownloadedArtifact,
  type OtherRun,
  type UploadRunArtifactOptions,
} from './artifacts.js';

/** The services a journal travels through. Every method is best effort: trouble is a warning and a miss. */
export interface JournalBackends {
  restoreCache(opts: RestoreJournalOptions): Promise<{ matchedKey: string } | undefined>;
  saveCache(opts: SaveJournalOptions): Promise<boolean>;
  downloadEarlierAttempt(opts: DownloadEarlierAttemptOptions): Promise<DownloadedArtifact | undefined>;
  uploadArtifact(opts: UploadRunArtifactOptions): Promise<boolean>;
  /** Every shard's newest journal artifact of this run (for a merge job). */
  downloadShards(opts: DownloadShardsOptions): Promise<DownloadedShard[]>;
}

/** The real ones: @actions/cache and @actions/artifact, as the runner provides them. */
export const actionsBackends: JournalBackends = {
  restoreCache: restoreFromCache,
  saveCache: saveToCache,
  downloadEarlierAttempt: downloadNewestEarlierAttempt,
  uploadArtifact: uploadRunArtifact,
  downloadShards: downloadShardArtifacts,
};

/** What to restore, for whom, and where to put it. */
export interface RestorePlan {
  /** Where the restored journal ends up (replaced). */
  journalPath: string;
  /** Scratch space for downloads: the run's directory. */
  workDir: string;
  /** Only journals written by this reprise workflow are replayed. */
  workflowName: string;
  scope: ResumeScope;
  /** Read the Actions cache (`cache: true` or `read-only`). */
  cache: boolean;
  /** Fall back to this run's artifacts of earlier attempts. */
  artifacts: boolean;
  keys: CacheKeys;
  /** Whose journal: an artifact uploaded for other parts is never taken. */
  identity: ArtifactNameParts;
  /** This job attempt (GITHUB_RUN_ATTEMPT). */
  attempt: number;
  /**
   * Another workflow run whose journal this run continues (`resume-from`): taken when this run has no
   * journal of its own yet (a re-run of this run continues its own, which already holds the other's).
   */
  resumeFrom?: OtherRun;
}

export interface RestoredJournal {
  /** The journal to replay from (empty when nothing was restored); its source is plan.journalPath. */
  read: JournalRead;
  /** The cache key or artifact name it came from. */
  source?: string;
  /** Restored journals that were damaged and set aside (healed as the CLI heals a resumed run's). */
  damaged: DamagedJournal[];
  /**
   * The journal is an earlier run's (`resume-scope: workflow` found no attempt of this run): this attempt
   * starts a new run that may reuse its calls by the cross-run rule, not a resume that replays them all.
   */
  fromEarlierRun?: boolean;
}

/**
 * A restored journal with damage (a bad header, garbled or torn lines, failed checksums): its valid
 * events continue in a fresh journal, and the original stays in the run directory, so that it reaches
 * this attempt's artifact for audit.
 */
export interface DamagedJournal {
  /** Where it was restored from: `the Actions cache (<key>)`, `the artifact <name>`. */
  from: string;
  /** The original, in the run directory: `journal.jsonl.damaged-<time>`. */
  aside: string;
  /** Valid calls kept (replayed); 0 when nothing in it could be read. */
  kept: number;
  /** What was wrong, as the log showed it. */
  problems: JournalProblem[];
}

/** Where a merge job looks for the shards' journals. */
export interface ShardRestorePlan {
  workflowName: string;
  /** The `key-suffix` the shards ran with. */
  suffix?: string;
  /** The merge job's attempt: shard artifacts of later attempts do not exist yet. */
  attempt: number;
  workDir: string;
}

/** Where to save a journal. */
export interface SaveTarget {
  journalPath: string;
  /** Empty: do not save to the cache. */
  cacheKey: string;
  /** Empty: do not upload. */
  artifact: string;
  /** Whose journal the artifact holds, so that another job never takes it for its own. */
  identity?: ArtifactNameParts;
}

/** A journal about to be saved, and whether later runs will restore it. */
export interface LaterRunsTarget {
  journalPath: string;
  scope: ResumeScope;
  /** `cache: true`: the journal is saved to the Actions cache, where later runs find it. */
  saveToCache: boolean;
  /** The effective `reuse-max-age` (engine/reuse.ts `reuseMaxAge`). */
  maxAgeMs: CompactOptions['maxAgeMs'];
  /** Keys this run replayed: the size cap keeps them for its next attempt. */
  keep?: CompactOptions['keep'];
  /** The size cap (default COMPACT_MAX_BYTES); Infinity when `keep` is not known. */
  maxBytes?: CompactOptions['maxBytes'];
}

/** Files of the run directory an artifact carries beside the journal. */
const ARTIFACT_FILES = ['journal.jsonl', 'result.json', 'summary.md', 'transcript.md'];
/** The spill files of streams cut at the output cap (`Run.outputLimit`). */
const OUTPUT_FILE_PREFIX = 'output-';

export class ActionJournalStore {
  /** Damaged journals met by the restore under way. */
  private damaged: DamagedJournal[] = [];

  constructor(
    private readonly log: StoreLog,
    private readonly backends: JournalBackends = actionsBackends,
  ) {}

  /**
   * The journal of the newest earlier attempt: the cache's, unless an artifact of a later attempt than the
   * cache entry's exists (that attempt could not save to the cache; its journal holds more calls). What it
   * restores is untrusted: a journal of another workflow is ignored, and a damaged one is healed (its
   * valid events kept, the original set aside in the run directory) or, when nothing in it reads, set aside.
   */
  async restore(plan: RestorePlan): Promise<RestoredJournal> {
    this.damaged = [];
    const restored = await this.restoreFrom(plan);
    return { ...restored, damaged: this.damaged };
  }

  private async restoreFrom(plan: RestorePlan): Promise<Omit<RestoredJournal, 'damaged'>> {
    const empty = emptyJournalRead(plan.journalPath);
    if (plan.scope === 'off') return { read: empty };
    await rm(plan.journalPath, { force: true });

    const cachePath = join(plan.workDir, 'restored-cache.jsonl');
    let cached: { read: JournalRead; key: string; attempt: number } | undefined;
    if (plan.cache) {
      const hit = await this.backends.restoreCache({
        journalPath: cachePath,
        key: plan.keys.key,
        restoreKeys: plan.keys.restoreKeys,
        log: this.log,
      });
      const read = hit && (await this.check(plan, `the Actions cache (${hit.matchedKey})`, cachePath));
      if (hit && read) {
        // 0: an entry of an earlier run (resume-scope: workflow), older than any attempt of this one.
        const attempt = attemptOfKey(hit.matchedKey, plan.keys.restoreKeys[0]) ?? 0;
        if (attempt === 0 && plan.resumeFrom) {
          // resume-from names the run to continue; the newest entry of some earlier run is not (known to be) it.
          this.log.info(
            `not reusing ${hit.matchedKey}: resume-from ${plan.resumeFrom.runId} names the run to continue`,
          );
          await rm(cachePath, { force: true });
        } else if (attempt === plan.attempt - 1 || !plan.artifacts) {
          return this.fromCache(plan, read, hit.matchedKey, attempt, cachePath);
        } else cached = { read, key: hit.matchedKey, attempt };
      }
    }
    if (plan.artifacts && plan.attempt > 1) {
      const restored = await this.fromNewestArtifact(plan, { after: cached?.attempt });
      if (restored) {
        if (cached) await rm(cachePath, { force: true });
        return restored;
      }
    }
    if (cached) return this.fromCache(plan, cached.read, cached.key, cached.attempt, cachePath);
    if (plan.resumeFrom) {
      const restored = await this.fromNewestArtifact(plan, { otherRun: plan.resumeFrom });
      if (restored) return { ...restored, source: `run ${plan.resumeFrom.runId}: ${restored.source ?? ''}` };
      // Starting over would re-spend every call and re-run every side effect the answered run already
      // did, with answers meant for its questions: refuse instead.
      throw new StoreError(
        `resume-from ${plan.resumeFrom.runId}: no journal of ${JSON.stringify(plan.identity)} could be restored ` +
          '(see the warnings above); nothing was run. Check the run id, that the job id and key-suffix match ' +
          "the waiting run's, and that the token may read its artifacts (actions: read)",
      );
    }
    return { read: empty };
  }

  /** The newest journal artifact of an earlier attempt (after a given one), or of another run. */
  private async fromNewestArtifact(
    plan: RestorePlan,
    where: { after?: number } | { otherRun: OtherRun },
  ): Promise<Omit<RestoredJournal, 'damaged'> | undefined> {
    const downloadDir = join(plan.workDir, 'restored-artifact');
    const found = await this.backends.downloadEarlierAttempt({
      prefix: artifactPrefix(plan.identity),
      currentAttempt: plan.attempt,
      destDir: downloadDir,
      log: this.log,
      identity: plan.identity,
      ...where,
    });
    return (found && (await this.fromArtifact(plan, found, downloadDir))) || undefined;
  }

  /**
   * The shards' journals for a merge job: each shard's newest artifact of this run, read and named by its
   * artifact. Untrusted and unchecked as a set: checkShardSet judges identity and completeness.
   */
  async restoreShards(plan: ShardRestorePlan): Promise<JournalRead[]> {
    const downloadDir = join(plan.workDir, 'shards');
    const found = await this.backends.downloadShards({
      name: plan.workflowName,
      suffix: plan.suffix,
      currentAttempt: plan.attempt,
      destDir: downloadDir,
      log: this.log,
    });
    const reads: JournalRead[] = [];
    for (const artifact of found) {
      const file = artifact.files.find((path) => path.endsWith('journal.jsonl'));
      const read = file ? await readJournalFile(file) : emptyJournalRead(artifact.name);
      const header = read.runs[0]?.shard;
      if (header && (header.index !== artifact.shard.index || header.total !== artifact.shard.total)) {
        // The name says one shard, the journal another: the journal is refused as not that shard's.
        reads.push({ ...emptyJournalRead(`the artifact ${artifact.name}`) });
        this.log.warning(
          `the artifact ${artifact.name} holds the journal of shard ${header.index}/${header.total}; ignoring it`,
        );
        continue;
      }
      reads.push({ ...read, source: `the artifact ${artifact.name}` });
    }
    return reads;
  }

  /**
   * Before a journal is saved for later runs (`resume-scope: workflow`): earlier runs' calls are thinned to
   * what a later run could still reuse (journal/compact.ts: one line per key, none older than reuse-max-age,
   * a size cap), so the journal does not grow with every scheduled run. This run's own lines stay whole: its
   * next attempt replays everything it did and counts all it spent. Best effort: on trouble the journal is
   * saved as it is. Returns what was dropped, for the job summary (undefined: nothing). Nothing is done unless
   * the journal goes to the cache for later runs (`resume-scope: workflow`, `cache: true`). Main calls this
   * once the run is done; post when main was killed before that (without the size cap: see action/post.ts).
   */
  async compactForLaterRuns(target: LaterRunsTarget): Promise<string | undefined> {
    const { journalPath, ...options } = target;
    if (target.scope !== 'workflow' || !target.saveToCache || !existsSync(journalPath)) return undefined;
    try {
      const described = describeCompaction(
        await compactJournalFile(journalPath, {
          maxAgeMs: options.maxAgeMs,
          keep: options.keep,
          maxBytes: options.maxBytes,
        }),
      );
      if (described) this.log.info(described);
      return described;
    } catch (caught) {
      this.log.warning(
        `the journal was not compacted (it is saved as it is): ${caught instanceof Error ? caught.message : String(caught)}`,
      );
      return undefined;
    }
  }

  /** Best effort: every failure is a warning (the next attempt then simply replays less). */
  async save(target: SaveTarget): Promise<void> {
    if (!existsSync(target.journalPath)) {
      this.log.warning(`no journal at ${target.journalPath}: nothing to save`);
      return;
    }
    if (target.cacheKey) {
      await this.backends.saveCache({ journalPath: target.journalPath, key: target.cacheKey, log: this.log });
    }
    if (target.artifact) {
      const rootDir = dirname(target.journalPath);
      const files = ARTIFACT_FILES.map((name) => join(rootDir, name)).filter((file) => existsSync(file));
      // A restored journal found damaged this attempt travels with it, for audit (never to the cache).
      const aside = `${basename(target.journalPath)}.damaged-`;
      // So do the whole, redacted outputs of streams cut at the output cap (`output-<key>.stdout|stderr`).
      for (const name of readdirSync(rootDir).sort())
        if (name.startsWith(aside) || name.startsWith(OUTPUT_FILE_PREFIX)) files.push(join(rootDir, name));
      await this.backends.uploadArtifact({
        name: target.artifact,
        files,
        rootDir,
        log: this.log,
        identity: target.identity,
      });
    }
  }

  /** The journal a downloaded artifact holds, moved into place; undefined when it holds none of ours. */
  private async fromArtifact(
    plan: RestorePlan,
    found: DownloadedArtifact,
    downloadDir: string,
  ): Promise<Omit<RestoredJournal, 'damaged'> | undefined> {
    const journalFile = found.files.find((file) => file.endsWith('journal.jsonl'));
    if (!journalFile) return undefined;
    const artifactPath = join(plan.workDir, 'restored-artifact.jsonl');
    await copyFile(journalFile, artifactPath);
    await rm(downloadDir, { recursive: true, force: true });
    const read = await this.check(plan, `the artifact ${found.name}`, artifactPath);
    return read && this.use(plan, read, found.name, `the artifact ${found.name}`, artifactPath);
  }

  /** A restored cache entry: of an attempt of this run, or (attempt 0) of an earlier run. */
  private async fromCache(
    plan: RestorePlan,
    read: JournalRead,
    key: string,
    attempt: number,
    path: string,
  ): Promise<Omit<RestoredJournal, 'damaged'>> {
    const earlier = attempt === 0;
    const from = earlier
      ? `an earlier run's entry in the Actions cache (${key})`
      : `the Actions cache (${key})`;
    const restored = await this.use(plan, read, key, from, path);
    return earlier ? { ...restored, fromEarlierRun: true } : restored;
  }

  /**
   * Reads a restored journal at `path`; undefined when it is not ours to replay (removed when it is
   * another workflow's; set aside in the run directory when it is damaged beyond reading).
   */
  private async check(plan: RestorePlan, source: string, path: string): Promise<JournalRead | undefined> {
    const read = await readJournalFile(path);
    for (const problem of summariseProblems(read.problems)) {
      // The reader's messages name their line already.
      const message = `journal from ${source}: ${problem.message}`;
      if (problem.severity === 'warning') this.log.warning(message);
      else this.log.info(message);
    }
    const foreign = journalBelongsTo(read, plan.workflowName);
    if (foreign || read.runs.length === 0) {
      if (foreign) this.log.warning(`ignoring the journal from ${source}: ${foreign}`);
      if (!foreign && isDamaged(read) && existsSync(path) && statSync(path).size > 0) {
        const aside = await setAside(path, plan.journalPath);
        this.damaged.push({ from: source, aside, kept: 0, problems: summariseProblems(read.problems) });
        this.log.warning(
          `the journal from ${source} is damaged and nothing in it can be replayed: set aside as ${aside} ` +
            "(kept in this attempt's artifact)",
        );
      }
      await rm(path, { force: true });
      return undefined;
    }
    return read;
  }

  private async use(
    plan: RestorePlan,
    read: JournalRead,
    source: string,
    from: string,
    path: string,
  ): Promise<Omit<RestoredJournal, 'damaged'>> {
    if (path !== plan.journalPath) await moveFile(path, plan.journalPath);
    // Healed as the CLI heals a resumed run's journal: the valid events continue in a fresh journal (which
    // this attempt appends to and saves), the original is kept beside it.
    const healed = await healJournal(plan.journalPath, read);
    if (healed) {
      this.damaged.push({
        from,
        aside: healed.aside,
        kept: healed.kept,
        problems: summariseProblems(read.problems),
      });
      this.log.warning(
        `the journal from ${from} was damaged: set aside as ${healed.aside} (kept in this attempt's artifact); ` +
          `a fresh journal continues with its ${healed.kept} valid call${healed.kept === 1 ? '' : 's'}`,
      );
    }
    this.log.info(`restored ${read.candidates.size} calls from ${from}`);
    return { read: { ...read, source: plan.journalPath }, source };
  }
}

/** The attempt a cache key of this run names (`<restore prefix><attempt>`); undefined for another run's. */
function attemptOfKey(key: string, runPrefix: string | undefined): number | undefined {
  if (runPrefix === undefined || !key.startsWith(runPrefix)) return undefined;
  const rest = key.slice(runPrefix.length);
  return /^[0-9]+$/.test(rest) ? Number(rest) : undefined;
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch {
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

// The journal as a workflow-run artifact: the fallback when the cache lost it, and the audit
// trail. Artifact names are unique per run and every attempt of the run can list them, so each
// attempt uploads under its own name and a later attempt downloads the newest earlier one.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ShardId } from '../journal/types.js';
import { slug, type StoreLog } from './actions-cache.js';

// @actions/artifact is a large part of dist/: imported on first use (see actions-cache.ts).
const newClient = async () => new (await import('@actions/artifact')).DefaultArtifactClient();

export interface ArtifactNameParts {
  name: string;
  job: string;
  /** Tells matrix legs (and several reprise steps of one job) apart. */
  suffix?: string;
  /** A shard of a sharded run (`shard: true` fan-outs): the merge job finds it by this. */
  shard?: ShardId;
}

/**
 * Names are readable but lossy (slugs, `-` joins: job `a` + suffix `b` reads like job `a-b`), so each
 * artifact also carries the raw parts it was uploaded for, in this file, and a download checks them.
 */
export const IDENTITY_FILE = 'reprise-artifact.json';

/** `reprise-<name>-<job>[-<suffix>][-shard-<i>-of-<n>]-attempt-`: what downloadNewestEarlierAttempt looks for. */
export function artifactPrefix(parts: ArtifactNameParts): string {
  const who = [parts.name, parts.job, ...(parts.suffix ? [parts.suffix] : [])].map(slug).join('-');
  const shard = parts.shard ? `-shard-${parts.shard.index}-of-${parts.shard.total}` : '';
  return `reprise-${who}${shard}-attempt-`;
}

/** `reprise-<name>-<job>[-<suffix>]-attempt-<n>`. */
export function artifactName(parts: ArtifactNameParts & { attempt: number }): string {
  return `${artifactPrefix(parts)}${parts.attempt}`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface UploadRunArtifactOptions {
  name: string;
  /** Absolute paths under rootDir. */
  files: string[];
  rootDir: string;
  log: StoreLog;
  /** Defaults to the repository's retention setting. */
  retentionDays?: number;
  /** Whose journal this is: written to IDENTITY_FILE in rootDir and uploaded with the files. */
  identity?: ArtifactNameParts;
}

function identityOf(parts: ArtifactNameParts): {
  workflow: string;
  job: string;
  suffix: string;
  shard?: ShardId;
} {
  return {
    workflow: parts.name,
    job: parts.job,
    suffix: parts.suffix ?? '',
    ...(parts.shard ? { shard: { index: parts.shard.index, total: parts.shard.total } } : {}),
  };
}

function describeIdentity(identity: unknown): string {
  return JSON.stringify(identity) ?? 'nothing';
}

export async function uploadRunArtifact(opts: UploadRunArtifactOptions): Promise<boolean> {
  const { name, rootDir, log } = opts;
  try {
    const files = [...opts.files];
    if (opts.identity) {
      const file = join(rootDir, IDENTITY_FILE);
      await writeFile(file, `${JSON.stringify(identityOf(opts.identity))}\n`, 'utf8');
      if (!files.includes(file)) files.push(file);
    }
    const client = await newClient();
    const result = await client.uploadArtifact(name, files, rootDir, {
      ...(opts.retentionDays !== undefined ? { retentionDays: opts.retentionDays } : {}),
    });
    log.info(`Uploaded the journal as artifact ${name} (${result.size ?? 0} bytes).`);
    return true;
  } catch (err) {
    log.warning(`Could not upload the journal artifact ${name}: ${errorMessage(err)}`);
    return false;
  }
}

/** Another workflow run, read through the REST API: needs a token with `actions: read`. */
export interface OtherRun {
  /** The workflow run id (GITHUB_RUN_ID of that run). */
  runId: number;
  /** `owner/name`. */
  repository: string;
  token: string;
}

export interface DownloadEarlierAttemptOptions {
  /** artifactPrefix(...): `reprise-<name>-<job>[-<suffix>]-attempt-`. */
  prefix: string;
  currentAttempt: number;
  /** A fresh directory: every file found there afterwards is reported as downloaded. */
  destDir: string;
  log: StoreLog;
  /** When given, only an artifact whose IDENTITY_FILE names exactly these parts is taken. */
  identity?: ArtifactNameParts;
  /** Only attempts above this one (the caller already holds that attempt's journal). */
  after?: number;
  /** Look in this other workflow run (its newest attempt first) instead of the current one. */
  otherRun?: OtherRun;
}

export interface DownloadedArtifact {
  name: string;
  /** Absolute paths of the downloaded files, sorted. */
  files: string[];
}

/** The attempt number when `name` is `prefix` followed by digits only. */
function attemptOf(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^[0-9]+$/.test(rest) ? Number(rest) : undefined;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Downloads the artifact of the highest attempt below `currentAttempt` whose name is exactly
 * `prefix` + a number (so matrix leg `a` never takes leg `a-b`'s journal), checking its digest and,
 * when `identity` is given, that it was uploaded for the same workflow, job and suffix: names can
 * coincide where the parts differ, and another job's journal must never be replayed. An artifact
 * that fails a check is skipped for the next older one.
 */
export async function downloadNewestEarlierAttempt(
  opts: DownloadEarlierAttemptOptions,
): Promise<DownloadedArtifact | undefined> {
  const { prefix, currentAttempt, log, otherRun } = opts;
  const destDir = resolve(opts.destDir);
  const where = otherRun ? ` of workflow run ${otherRun.runId}` : ' of an earlier attempt';
  try {
    const client = await newClient();
    const [owner, repo] = otherRun?.repository.split('/') ?? [];
    const findBy =
      otherRun && owner && repo
        ? {
            token: otherRun.token,
            workflowRunId: otherRun.runId,
            repositoryOwner: owner,
            repositoryName: repo,
          }
        : undefined;
    if (otherRun && !findBy) throw new Error(`"${otherRun.repository}" is not owner/name`);
    const { artifacts } = await client.listArtifacts(findBy ? { findBy } : {});
    const candidates = artifacts
      .flatMap((artifact) => {
        const attempt = attemptOf(artifact.name, prefix);
        const wanted =
          attempt !== undefined &&
          (otherRun !== undefined || attempt < currentAttempt) &&
          attempt > (opts.after ?? 0);
        return wanted ? [{ artifact, attempt }] : [];
      })
      .sort((a, b) => b.attempt - a.attempt || b.artifact.id - a.artifact.id);
    if (candidates.length === 0 && otherRun) {
      log.warning(
        `No journal artifact ${prefix}<n> in workflow run ${otherRun.runId}: nothing to resume from.`,
      );
      return undefined;
    }
    if (candidates.length === 0) {
      const range = opts.after ? `after ${opts.after} and ` : '';
      log.info(`No journal artifact ${prefix}<n> from an attempt ${range}before ${currentAttempt}.`);
      return undefined;
    }
    for (const { artifact } of candidates) {
      await rm(destDir, { recursive: true, force: true });
      await mkdir(destDir, { recursive: true });
      const { digestMismatch } = await client.downloadArtifact(artifact.id, {
        path: destDir,
        ...(artifact.digest ? { expectedHash: artifact.digest } : {}),
        ...(findBy ? { findBy } : {}),
      });
      if (digestMismatch) {
        log.warning(`The journal artifact ${artifact.name} does not match its recorded digest; ignoring it.`);
        continue;
      }
      if (opts.identity) {
        const expected = identityOf(opts.identity);
        const found = await readIdentity(join(destDir, IDENTITY_FILE));
        if (JSON.stringify(found) !== JSON.stringify(expected)) {
          log.warning(
            `The journal artifact ${artifact.name} was uploaded for ${describeIdentity(found)}, not for ` +
              `${describeIdentity(expected)}; ignoring it.`,
          );
          continue;
        }
      }
      const files = await listFiles(destDir);
      log.info(`Downloaded the journal artifact ${artifact.name} (${files.length} file(s)).`);
      return { name: artifact.name, files };
    }
    await rm(destDir, { recursive: true, force: true });
    return undefined;
  } catch (err) {
    log.warning(`Could not download a journal artifact${where}: ${errorMessage(err)}`);
    return undefined;
  }
}

/** The identity an artifact carries, in the key order identityOf writes; undefined when absent or unreadable. */
async function readIdentity(path: string): Promise<unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return parsed;
  const { workflow, job, suffix, shard } = parsed as Record<string, unknown>;
  if (typeof shard !== 'object' || shard === null) return { workflow, job, suffix };
  const { index, total } = shard as Record<string, unknown>;
  return { workflow, job, suffix, shard: { index, total } };
}

export interface DownloadShardsOptions {
  /** The reprise workflow's name and the `key-suffix` the shards ran with. */
  name: string;
  suffix?: string;
  /** Only attempts up to this one (the merge job's GITHUB_RUN_ATTEMPT). */
  currentAttempt: number;
  /** One subdirectory per shard is made here. */
  destDir: string;
  log: StoreLog;
}

/** A shard's newest journal artifact of this run. */
export interface DownloadedShard extends DownloadedArtifact {
  shard: ShardId;
  attempt: number;
}

const SHARD_NAME = /-shard-([0-9]+)-of-([0-9]+)-attempt-([0-9]+)$/;

/**
 * For every shard of this run's sharded workflow `name`, downloads its newest artifact (by attempt), with
 * the digest checked and its identity file naming this workflow, suffix and shard: a shard job may have
 * any job id, so the name alone proves nothing. Artifacts that fail a check are reported and skipped for
 * the shard's next older one; what is missing is for the caller to judge.
 */
export async function downloadShardArtifacts(opts: DownloadShardsOptions): Promise<DownloadedShard[]> {
  const { log } = opts;
  const destDir = resolve(opts.destDir);
  const start = `reprise-${slug(opts.name)}-`;
  try {
    const client = await newClient();
    const { artifacts } = await client.listArtifacts();
    const byShard = new Map<
      string,
      { artifact: (typeof artifacts)[number]; shard: ShardId; attempt: number }[]
    >();
    for (const artifact of artifacts) {
      const match = SHARD_NAME.exec(artifact.name);
      if (!match || !artifact.name.startsWith(start)) continue;
      const [index, total, attempt] = [Number(match[1]), Number(match[2]), Number(match[3])];
      if (attempt > opts.currentAttempt) continue;
      const id = `${index}/${total}`;
      byShard.set(id, [...(byShard.get(id) ?? []), { artifact, shard: { index, total }, attempt }]);
    }
    const found: DownloadedShard[] = [];
    for (const [id, candidates] of [...byShard.entries()].sort()) {
      candidates.sort((a, b) => b.attempt - a.attempt || b.artifact.id - a.artifact.id);
      for (const { artifact, shard, attempt } of candidates) {
        const dir = join(destDir, artifact.name);
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        const { digestMismatch } = await client.downloadArtifact(artifact.id, {
          path: dir,
          ...(artifact.digest ? { expectedHash: artifact.digest } : {}),
        });
        if (digestMismatch) {
          log.warning(`The shard artifact ${artifact.name} does not match its recorded digest; ignoring it.`);
          continue;
        }
        const identity = (await readIdentity(join(dir, IDENTITY_FILE))) as
          Record<string, unknown> | undefined;
        const expected = { workflow: opts.name, suffix: opts.suffix ?? '', shard };
        const got = identity && {
          workflow: identity.workflow,
          suffix: identity.suffix,
          shard: identity.shard,
        };
        if (JSON.stringify(got) !== JSON.stringify(expected)) {
          log.warning(
            `The shard artifact ${artifact.name} was uploaded for ${describeIdentity(identity)}, not for shard ${id} ` +
              `of ${describeIdentity({ workflow: opts.name, suffix: opts.suffix ?? '' })}; ignoring it.`,
          );
          continue;
        }
        found.push({ name: artifact.name, files: await listFiles(dir), shard, attempt });
        break;
      }
    }
    log.info(
      `Downloaded ${found.length} shard journal artifact(s): ${found.map((f) => f.name).join(', ') || 'none'}.`,
    );
    return found;
  } catch (err) {
    log.warning(`Could not download the shards' journal artifacts: ${errorMessage(err)}`);
    return [];
  }
}

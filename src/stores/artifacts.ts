// The journal as a workflow-run artifact: the fallback when the cache lost it, and the audit
// trail. Artifact names are unique per run and every attempt of the run can list them, so each
// attempt uploads under its own name and a later attempt downloads the newest earlier one.
import { DefaultArtifactClient, type Artifact } from '@actions/artifact';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { slug, type StoreLog } from './actions-cache.js';

export interface ArtifactNameParts {
  name: string;
  job: string;
  /** Tells matrix legs (and several reprise steps of one job) apart. */
  suffix?: string;
}

/** `reprise-<name>-<job>[-<suffix>]-attempt-`: what downloadNewestEarlierAttempt looks for. */
export function artifactPrefix(parts: ArtifactNameParts): string {
  const who = [parts.name, parts.job, ...(parts.suffix ? [parts.suffix] : [])].map(slug).join('-');
  return `reprise-${who}-attempt-`;
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
}

export async function uploadRunArtifact(opts: UploadRunArtifactOptions): Promise<boolean> {
  const { name, files, rootDir, log } = opts;
  try {
    const client = new DefaultArtifactClient();
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

export interface DownloadEarlierAttemptOptions {
  /** artifactPrefix(...): `reprise-<name>-<job>[-<suffix>]-attempt-`. */
  prefix: string;
  currentAttempt: number;
  /** A fresh directory: every file found there afterwards is reported as downloaded. */
  destDir: string;
  log: StoreLog;
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
 * `prefix` + a number (so matrix leg `a` never takes leg `a-b`'s journal), checking its digest.
 */
export async function downloadNewestEarlierAttempt(
  opts: DownloadEarlierAttemptOptions,
): Promise<DownloadedArtifact | undefined> {
  const { prefix, currentAttempt, log } = opts;
  const destDir = resolve(opts.destDir);
  try {
    const client = new DefaultArtifactClient();
    const { artifacts } = await client.listArtifacts();
    let best: { artifact: Artifact; attempt: number } | undefined;
    for (const artifact of artifacts) {
      const attempt = attemptOf(artifact.name, prefix);
      if (attempt === undefined || attempt >= currentAttempt) continue;
      if (!best || attempt > best.attempt || (attempt === best.attempt && artifact.id > best.artifact.id)) {
        best = { artifact, attempt };
      }
    }
    if (!best) {
      log.info(`No journal artifact ${prefix}<n> from an attempt before ${currentAttempt}.`);
      return undefined;
    }
    const { artifact } = best;
    await mkdir(destDir, { recursive: true });
    const { digestMismatch } = await client.downloadArtifact(artifact.id, {
      path: destDir,
      ...(artifact.digest ? { expectedHash: artifact.digest } : {}),
    });
    if (digestMismatch) {
      log.warning(`The journal artifact ${artifact.name} does not match its recorded digest; ignoring it.`);
      return undefined;
    }
    const files = await listFiles(destDir);
    log.info(`Downloaded the journal artifact ${artifact.name} (${files.length} file(s)).`);
    return { name: artifact.name, files };
  } catch (err) {
    log.warning(`Could not download a journal artifact of an earlier attempt: ${errorMessage(err)}`);
    return undefined;
  }
}

// The journal as a workflow-run artifact: the fallback when the cache lost it, and the audit
// trail. Artifact names are unique per run and every attempt of the run can list them, so each
// attempt uploads under its own name and a later attempt downloads the newest earlier one.
import { DefaultArtifactClient } from '@actions/artifact';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { slug, type StoreLog } from './actions-cache.js';

export interface ArtifactNameParts {
  name: string;
  job: string;
  /** Tells matrix legs (and several reprise steps of one job) apart. */
  suffix?: string;
}

/**
 * Names are readable but lossy (slugs, `-` joins: job `a` + suffix `b` reads like job `a-b`), so each
 * artifact also carries the raw parts it was uploaded for, in this file, and a download checks them.
 */
export const IDENTITY_FILE = 'reprise-artifact.json';

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
  /** Whose journal this is: written to IDENTITY_FILE in rootDir and uploaded with the files. */
  identity?: ArtifactNameParts;
}

function identityOf(parts: ArtifactNameParts): { workflow: string; job: string; suffix: string } {
  return { workflow: parts.name, job: parts.job, suffix: parts.suffix ?? '' };
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
  /** When given, only an artifact whose IDENTITY_FILE names exactly these parts is taken. */
  identity?: ArtifactNameParts;
  /** Only attempts above this one (the caller already holds that attempt's journal). */
  after?: number;
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
  const { prefix, currentAttempt, log } = opts;
  const destDir = resolve(opts.destDir);
  try {
    const client = new DefaultArtifactClient();
    const { artifacts } = await client.listArtifacts();
    const candidates = artifacts
      .flatMap((artifact) => {
        const attempt = attemptOf(artifact.name, prefix);
        const wanted = attempt !== undefined && attempt < currentAttempt && attempt > (opts.after ?? 0);
        return wanted ? [{ artifact, attempt }] : [];
      })
      .sort((a, b) => b.attempt - a.attempt || b.artifact.id - a.artifact.id);
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
    log.warning(`Could not download a journal artifact of an earlier attempt: ${errorMessage(err)}`);
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
  const { workflow, job, suffix } = parsed as Record<string, unknown>;
  return { workflow, job, suffix };
}

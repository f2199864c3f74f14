// Saving the journal where the next attempt finds it: the Actions cache and an artifact. Used by main
// after the run and by post when main never got that far.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { saveJournal } from '../stores/actions-cache.js';
import { uploadRunArtifact, type ArtifactNameParts } from '../stores/artifacts.js';
import type { ActionHost } from './host.js';

/** Names of the values main hands to post through `core.saveState`. */
export const STATE = {
  journal: 'journal',
  cacheKey: 'cache-key',
  artifact: 'artifact',
  /** JSON of the artifact's ArtifactNameParts: whose journal it is. */
  identity: 'identity',
  saved: 'saved',
} as const;

export interface PersistTarget {
  journalPath: string;
  /** Empty: do not save to the cache. */
  cacheKey: string;
  /** Empty: do not upload. */
  artifact: string;
  /** Whose journal the artifact holds, so that another job never takes it for its own. */
  identity?: ArtifactNameParts;
}

/** The identity main saved for post; undefined when absent or not what main writes. */
export function parseIdentity(text: string): ArtifactNameParts | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, job, suffix } = value as Record<string, unknown>;
  if (typeof name !== 'string' || typeof job !== 'string') return undefined;
  return { name, job, ...(typeof suffix === 'string' ? { suffix } : {}) };
}

/** Best effort: every failure is a warning (the next attempt then simply replays less). */
export async function saveJournalElsewhere(host: ActionHost, target: PersistTarget): Promise<void> {
  if (!existsSync(target.journalPath)) {
    host.warning(`no journal at ${target.journalPath}: nothing to save`);
    return;
  }
  const log = { info: (m: string) => host.info(m), warning: (m: string) => host.warning(m) };
  if (target.cacheKey) await saveJournal({ journalPath: target.journalPath, key: target.cacheKey, log });
  if (target.artifact) {
    const rootDir = dirname(target.journalPath);
    const files = ['journal.jsonl', 'result.json', 'summary.md']
      .map((name) => join(rootDir, name))
      .filter((file) => existsSync(file));
    await uploadRunArtifact({ name: target.artifact, files, rootDir, log, identity: target.identity });
  }
}

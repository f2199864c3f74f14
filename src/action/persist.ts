// What main hands to post: where the journal is and where to save it, so that post can save it when
// main never got that far (a crash, a cancellation, a timeout).
import type { ArtifactNameParts } from '../stores/artifacts.js';
import { ActionJournalStore, type JournalBackends } from '../stores/journal-store.js';
import type { ActionHost } from './host.js';

/** The journal store the action uses, logging through the host. */
export function actionStore(host: ActionHost, backends?: JournalBackends): ActionJournalStore {
  return new ActionJournalStore({ info: (m) => host.info(m), warning: (m) => host.warning(m) }, backends);
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
  const { name, job, suffix, shard } = value as Record<string, unknown>;
  if (typeof name !== 'string' || typeof job !== 'string') return undefined;
  const { index, total } = (typeof shard === 'object' && shard !== null ? shard : {}) as Record<
    string,
    unknown
  >;
  return {
    name,
    job,
    ...(typeof suffix === 'string' ? { suffix } : {}),
    ...(typeof index === 'number' && typeof total === 'number' ? { shard: { index, total } } : {}),
  };
}

// The action's post step (post-if: always()): if main did not finish saving the journal (a crash,
// a cancellation or a timeout cut it short), save and upload whatever the journal holds.
import type { JournalBackends } from '../stores/journal-store.js';
import type { ActionHost } from './host.js';
import { STATE } from './state.js';

/** What post decides with: main's state and a line of log. */
export type PostProbe = Pick<ActionHost, 'getState' | 'info'>;

/**
 * Whether main left the journal unsaved; when not, the log says why. Decided from main's state alone, so
 * the usual post step (main saved) ends before the stores and the toolkit load.
 */
export function leftToSave(probe: PostProbe): boolean {
  if (!probe.getState(STATE.journal)) {
    probe.info('reprise: main never started a run; nothing to save');
    return false;
  }
  if (probe.getState(STATE.saved) === 'true') {
    probe.info('reprise: the journal was saved by the main step');
    return false;
  }
  return true;
}

/** `backends`: where the journal goes (tests pass their own; the runner's cache and artifacts otherwise). */
export async function runPost(host: ActionHost, backends?: JournalBackends): Promise<void> {
  if (!leftToSave(host)) return;
  host.info('reprise: the main step did not finish; saving what the journal holds for the next attempt');
  const { actionStore, parseIdentity } = await import('./persist.js');
  const store = actionStore(host, backends);
  const journalPath = host.getState(STATE.journal);
  const cacheKey = host.getState(STATE.cacheKey);
  // Main saves these just before the run starts; without them (killed sooner) the journal is saved as it is.
  const maxAgeText = host.getState(STATE.reuseMaxAge);
  const maxAgeMs = Number(maxAgeText);
  if (maxAgeText !== '' && Number.isFinite(maxAgeMs)) {
    await store.compactForLaterRuns({
      journalPath,
      scope: host.getState(STATE.scope) === 'workflow' ? 'workflow' : 'run',
      saveToCache: cacheKey !== '',
      maxAgeMs,
      // Which earlier runs' calls the killed attempt replayed (main's `replayedKeys`) is not known here: the
      // size cap could drop some, and the re-run would spend on them again. Duplicates and lines older than
      // reuse-max-age go, as the re-run would not replay them either.
      maxBytes: Infinity,
    });
  }
  await store.save({
    journalPath,
    cacheKey,
    artifact: host.getState(STATE.artifact),
    identity: parseIdentity(host.getState(STATE.identity)),
  });
}

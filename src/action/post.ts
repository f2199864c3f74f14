// The action's post step (post-if: always()): if main did not finish saving the journal (a crash,
// a cancellation or a timeout cut it short), save and upload whatever the journal holds.
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

export async function runPost(host: ActionHost): Promise<void> {
  if (!leftToSave(host)) return;
  host.info('reprise: the main step did not finish; saving what the journal holds for the next attempt');
  const { actionStore, parseIdentity } = await import('./persist.js');
  await actionStore(host).save({
    journalPath: host.getState(STATE.journal),
    cacheKey: host.getState(STATE.cacheKey),
    artifact: host.getState(STATE.artifact),
    identity: parseIdentity(host.getState(STATE.identity)),
  });
}

// The action's post step (post-if: always()): if main did not finish saving the journal (a crash,
// a cancellation or a timeout cut it short), save and upload whatever the journal holds.
import type { ActionHost } from './host.js';
import { STATE, actionStore, parseIdentity } from './persist.js';

export async function runPost(host: ActionHost): Promise<void> {
  const journalPath = host.getState(STATE.journal);
  if (!journalPath) {
    host.info('reprise: main never started a run; nothing to save');
    return;
  }
  if (host.getState(STATE.saved) === 'true') {
    host.info('reprise: the journal was saved by the main step');
    return;
  }
  host.info('reprise: the main step did not finish; saving what the journal holds for the next attempt');
  await actionStore(host).save({
    journalPath,
    cacheKey: host.getState(STATE.cacheKey),
    artifact: host.getState(STATE.artifact),
    identity: parseIdentity(host.getState(STATE.identity)),
  });
}

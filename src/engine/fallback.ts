// Model fallback: `model: [primary, fallback, ...]`. The call's key covers the declared list; which model
// answered is journaled with the result, so a replay never depends on it.
import { CallError, type AgentRequest } from '../agents/types.js';
import { isRecoverable } from './retry.js';

/** The request as sent to target `index` (0: the primary). */
export function requestForTarget(request: AgentRequest, index: number): AgentRequest {
  const target = index === 0 ? undefined : request.fallbacks?.[index - 1];
  return target ? { ...request, provider: target.provider, model: target.model } : request;
}

export function targetName(request: AgentRequest, index: number): string {
  const target = requestForTarget(request, index);
  return target.provider === request.provider ? target.model : `${target.provider.name}:${target.model}`;
}

/**
 * The next target after a failure of target `index`, or undefined to retry or fail as usual. An unknown model
 * (404) or an overloaded one falls back at once; another recoverable failure only once its retries are spent.
 */
export function nextTarget(
  request: AgentRequest | undefined,
  index: number,
  caught: unknown,
  retriesLeft: boolean,
): number | undefined {
  const count = request?.fallbacks?.length ?? 0;
  if (index >= count || !(caught instanceof CallError) || caught.aborted) return undefined;
  const missing = caught.status === 404;
  const overloaded = caught.status === 529 || caught.status === 503 || /overloaded/i.test(caught.message);
  if (missing || overloaded) return index + 1;
  return isRecoverable(caught) && !retriesLeft ? index + 1 : undefined;
}

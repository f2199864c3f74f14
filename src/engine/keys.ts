// Call keys: content addresses of what determines a call's result (DESIGN.md section 3).
import { hash } from 'node:crypto';
import type { CallKind } from '../journal/types.js';
import { canonicalJson } from './canonical-json.js';

export type CallKey = string;

export interface KeyMaterial {
  step: string;
  kind: CallKind;
  request: unknown;
}

/**
 * sha256 of the RFC 8785 canonical JSON of the step id, the kind and the resolved request, with secret
 * values already redacted by the caller (a rotated token must not invalidate finished work, and a key
 * must never be a hash an attacker can test guesses against).
 */
export function baseKey(material: KeyMaterial, redact: (text: string) => string): CallKey {
  // The canonical JSON of the material, written in its key order (kind, request, step): every key of a
  // resume is computed again, and a generic sort of three keys cost as much as the rest of the key.
  const request = canonicalJson(material.request);
  const canonical =
    '{"kind":' +
    JSON.stringify(material.kind) +
    (request === undefined ? '' : ',"request":' + request) +
    ',"step":' +
    JSON.stringify(material.step) +
    '}';
  // One call, without a Hash object per key: a resume keys every journaled call again.
  return 'sha256:' + hash('sha256', redact(canonical), 'hex');
}

/**
 * Tells identical calls of one run apart. Occurrences are handed out in the order calls are *planned*
 * (list order, item order, iteration order), which the engine makes deterministic; completion order
 * never enters a key.
 */
export class Occurrences {
  private readonly seen = new Map<CallKey, number>();

  next(key: CallKey): CallKey {
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return n === 0 ? key : `${key}#${n}`;
  }
}

import type { CallKind } from '../journal/types.js';
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
export declare function baseKey(material: KeyMaterial, redact: (text: string) => string): CallKey;
/**
 * Tells identical calls of one run apart. Occurrences are handed out in the order calls are *planned*
 * (list order, item order, iteration order), which the engine makes deterministic; completion order
 * never enters a key.
 */
export declare class Occurrences {
    private readonly seen;
    next(key: CallKey): CallKey;
}

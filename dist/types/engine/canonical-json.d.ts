/**
 * A value whose canonical JSON was written once and is reused in many keys (a provider's identity is the
 * same in every call of a step): `canonicalJson` inserts its text as it is.
 */
export declare class CanonicalFragment {
    readonly json: string;
    constructor(json: string);
}
/** The canonical JSON of `value`; undefined where JSON.stringify gives none (undefined, a function, a symbol). */
export declare function canonicalJson(value: unknown): string | undefined;

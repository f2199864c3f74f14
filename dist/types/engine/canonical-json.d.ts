/** The canonical JSON of `value`; undefined where JSON.stringify gives none (undefined, a function, a symbol). */
export declare function canonicalJson(value: unknown): string | undefined;

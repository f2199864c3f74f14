/** A value as a person would write it in a message. */
export declare function describe(value: unknown): string;
export declare function isRecord(value: unknown): value is Record<string, unknown>;

export declare const REDACTED = "***";
export declare class Secrets {
    private readonly values;
    /** Every form searched for: the values plus their JSON-escaped spellings. */
    private readonly forms;
    private pattern;
    private dirty;
    add(value: string): void;
    /** Adds the values of variables named like credentials: TOKEN, KEY, SECRET or PASSWORD. */
    addFromEnv(env: Record<string, string | undefined>): void;
    /** Replaces every occurrence of every secret (longest first) with `***`. */
    redact(text: string): string;
    /** Whether `text` contains any secret. */
    test(text: string): boolean;
    get size(): number;
    private addOne;
    private regex;
}
/**
 * Serializes `value` as one line of JSON with every secret redacted. The common case redacts the
 * serialized text; when that would break the JSON (a secret that is a number, or that overlaps an
 * escape sequence) the value's strings are redacted one by one instead, so the line stays readable.
 * The result never contains a secret, even if it then is not valid JSON.
 */
export declare function redactedJson(value: unknown, secrets: Secrets | undefined): string;

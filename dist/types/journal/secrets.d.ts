export declare const REDACTED = "***";
/** Whether an environment variable is named like a credential (its value is redacted everywhere). */
export declare function isSecretEnvName(name: string): boolean;
/** Redaction of a text given in pieces: what `push` returns is final; `end` gives what was held back. */
export interface TextRedactor {
    push(text: string): string;
    end(): string;
}
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
    /**
     * Removes the end of a text that was cut short when that end begins a secret (in any form redaction
     * knows): the cut split the secret, so the whole-occurrence redaction would let its first characters
     * through. Any such prefix goes, even one character: the text is already cut, and a shorter cut costs
     * nothing a reader needs, while a 3-character prefix of a 4-character secret would give most of it away.
     */
    cutEnd(text: string): string;
    get size(): number;
    /**
     * Redacts a text that arrives in pieces (a spilled output stream): an occurrence split across two pieces
     * is still found, because the end of each piece that could begin one is held back until the next.
     */
    streamRedactor(): TextRedactor;
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

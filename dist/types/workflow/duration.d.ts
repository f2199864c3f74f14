/**
 * Reads `250ms`, `30s`, `5m`, `1h`, `1h30m`, `7d`, or a plain number of seconds, as milliseconds.
 * Anything else (negative, empty, unknown unit, not finite) gives `undefined`.
 */
export declare function parseDuration(text: string | number): number | undefined;

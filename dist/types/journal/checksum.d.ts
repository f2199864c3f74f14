/** The journal line (without its newline) for an event's JSON text `{...}`. */
export declare function withChecksum(json: string): string;
/**
 * What a line's checksum says: `ok` with the JSON text to parse (the field removed from the end),
 * `absent` (a line without the field: written before version 2, or cut where the field was),
 * or `mismatch` (the line changed after it was written).
 */
export type LineCheck = {
    status: 'ok';
    json: string;
} | {
    status: 'absent';
} | {
    status: 'mismatch';
};
export declare function checkLine(line: string): LineCheck;
/**
 * `checkLine` on the bytes of a line (from `start` to `end`, without its line end): `absent`, `mismatch`,
 * or, when the checksum holds, where the field starts (the line's JSON text is the bytes before it, and `}`).
 * The CRC is taken of the bytes themselves, which are what the writer hashed (UTF-8 of its text).
 */
export declare function checkBytes(buffer: Buffer, start: number, end: number): number | 'absent' | 'mismatch';

/** The journal line (without its newline) for an event's JSON text `{...}`. */
export declare function withChecksum(json: string): string;
/**
 * Journal lines made in one reused buffer: an event's JSON text is encoded once, its checksum taken of those
 * bytes, and the line (`withChecksum` of the text, and a newline) is the bytes `line` returns, ready for one
 * write(2). The same line as `withChecksum(json) + '\n'` without making it as a string first, then again as
 * bytes, at every call of a run.
 */
export declare class LineEncoder {
    private buffer;
    /**
     * The bytes of the line for the JSON text `json` (an object, `{...}`), after a newline when `newlineFirst`.
     * Valid until the next call.
     */
    line(json: string, newlineFirst?: boolean): Uint8Array;
}
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
/**
 * The CRC-32 of `bytes` from `start` to `end`: the one of zlib, gzip and PNG (IEEE 802.3, reflected), the
 * value `zlib.crc32` gives (test/journal/checksum.test.ts compares them), eight bytes at a time ("slicing by
 * 8"). Here rather than zlib's own: loading `node:zlib` loads Node's streams with it, about 5 ms of every
 * start, and a resume of a journal of 10,000 calls checks its 14 MB as fast this way (a 137 MB one takes
 * about 50 ms more).
 */
export declare function crc32(bytes: Uint8Array, start?: number, end?: number): number;

/** A problem with stored runs a user can meet and act on (unknown run id, run in use). Its message says what to do. */
export declare class StoreError extends Error {
    constructor(message: string, options?: {
        cause?: unknown;
    });
}

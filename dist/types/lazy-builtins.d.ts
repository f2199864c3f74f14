export declare function childProcess(): typeof import('node:child_process');
export declare function streamPromises(): typeof import('node:stream/promises');

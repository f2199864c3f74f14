export declare function describeSpawnError(error: Error, spec: {
    command: string;
    cwd: string;
    env: Record<string, string | undefined>;
}): string;

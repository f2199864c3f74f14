export interface WorkflowCommand {
    /** notice, warning, error, group, endgroup, add-mask or debug. */
    name: string;
    /** `file=a.ts,line=3` → { file: 'a.ts', line: '3' } (unescaped). */
    properties: Record<string, string>;
    /** The message after the second `::`, unescaped. */
    message: string;
    /** The line as the script printed it. */
    raw: string;
}
export declare function parseWorkflowCommand(line: string): WorkflowCommand | undefined;
/** The text without its workflow-command lines (everything else byte for byte). */
export declare function withoutCommands(text: string): string;
export declare class LineSplitter {
    private readonly emit;
    private rest;
    constructor(emit: (line: string) => void);
    push(chunk: string): void;
    flush(): void;
}

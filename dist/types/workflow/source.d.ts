import { type Document, type Node } from 'yaml';
import type { Problem, SourceLocation } from './types.js';
/** A path into the document: map keys and list indexes, from the root. */
export type Path = readonly (string | number)[];
export declare class YamlSource {
    readonly text: string;
    readonly file: string;
    readonly doc: Document;
    private readonly lines;
    constructor(text: string, file: string);
    /** YAML syntax errors and duplicate keys, as problems. */
    syntaxProblems(): Problem[];
    private duplicateKeys;
    private parseProblems;
    problemAtOffset(offset: number, message: string): Problem;
    locationOfOffset(offset: number): SourceLocation;
    /** Where the value at `path` starts (for a mapping: its first key), or the nearest ancestor that exists. */
    valueAt(path: Path): SourceLocation;
    /** Where the key naming the last element of `path` is written (the value if it is a list item). */
    keyAt(path: Path): SourceLocation;
    /** Where the `n`-th (0-based) `${{` inside the value at `path` is written, or the value's start. */
    expressionAt(path: Path, n: number): SourceLocation;
    problem(path: Path, message: string, where?: 'key' | 'value'): Problem;
    node(path: Path): Node | undefined;
    private keyNode;
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours (`titel` → `title` is 1). */
export declare function editDistance(a: string, b: string): number;
/** The closest candidate within a small edit distance, compared case-insensitively. */
export declare function closest(word: string, candidates: Iterable<string>): string | undefined;
/** ` (did you mean "x"?)` or nothing. */
export declare function didYouMean(word: string, candidates: Iterable<string>): string;

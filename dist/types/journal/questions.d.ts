import type { JournalRead } from './reader.js';
import type { Question } from './types.js';
export declare function pendingQuestions(read: JournalRead): Question[];

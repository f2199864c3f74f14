export * from './types.js';
export { Secrets, REDACTED, redactedJson } from './secrets.js';
export { JournalWriter, type JournalWriterOptions } from './writer.js';
export {
  readJournalFile,
  parseJournal,
  journalBelongsTo,
  emptyJournalRead,
  type JournalRead,
  type JournalProblem,
} from './reader.js';
export { mergeJournals, mergeJournalFiles, serializeEvents } from './merge.js';

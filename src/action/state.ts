// What main hands to post through `core.saveState` (post reads it as STATE_<name> variables): where the
// journal is, where to save it, how to compact it for later runs, and whether main already did. A module
// of its own, so that post can decide "nothing to save" without loading the stores or the toolkit.

/** Names of the values main hands to post. */
export const STATE = {
  journal: 'journal',
  cacheKey: 'cache-key',
  artifact: 'artifact',
  /** JSON of the artifact's ArtifactNameParts: whose journal it is. */
  identity: 'identity',
  /** `resume-scope` and the effective `reuse-max-age` in ms: with a cache key, the journal is compacted. */
  scope: 'resume-scope',
  reuseMaxAge: 'reuse-max-age',
  saved: 'saved',
} as const;

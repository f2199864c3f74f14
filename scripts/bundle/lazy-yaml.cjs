// reprise's own modules get this module for `yaml`: the YAML library is evaluated when a workflow or an
// inputs file is first parsed, not at every start. A resume of an unchanged workflow reads its checked
// definition (src/workflow/definition-cache.ts) and parses no YAML at all.
'use strict';

let yaml;
module.exports = new Proxy(
  {},
  {
    get: (_target, name) => (name === '__esModule' ? undefined : (yaml ??= require('yaml'))[name]),
  },
);

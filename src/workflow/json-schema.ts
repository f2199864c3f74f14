// ajv, the JSON Schema validator, and everything made with it: schemas of agent answers, of ask answers
// and of tool arguments. Loaded only by workflows that have one (json-schema-support.ts): ajv is the
// largest thing a run would otherwise load and initialise at every start.
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext the default import is `module.exports`, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

/** Validates values (answers, tool arguments) against schemas: every error, formats known. */
export function valueValidator(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv;
}

/** Checks that a schema is one (draft 2020-12, which agrees with draft-07 on structure). */
export function schemaChecker(): Ajv2020 {
  return new Ajv2020({ strict: false, allErrors: false });
}

// The compiled validator of schema/workflow.schema.json. Compiling it costs about 300 ms, so in dist/
// this module is replaced by ajv's standalone code, generated from the same schema and options when the
// bundle is built (rollup.config.js): the action and the CLI never compile it at start. Tests and tsc
// use this file, which compiles it once, on first use.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import workflowSchema from '../../schema/workflow.schema.json' with { type: 'json' };
// The options are a file of their own so that rollup.config.js compiles dist's copy with the same ones.
import options from './validator-options.json' with { type: 'json' };

let validator: ValidateFunction | undefined;
export function workflowValidator(): ValidateFunction {
  validator ??= new Ajv2020(options).compile(workflowSchema);
  return validator;
}

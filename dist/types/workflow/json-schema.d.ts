import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
/** Validates values (answers, tool arguments) against schemas: every error, formats known. */
export declare function valueValidator(): Ajv;
/** Checks that a schema is one (draft 2020-12, which agrees with draft-07 on structure). */
export declare function schemaChecker(): Ajv2020;

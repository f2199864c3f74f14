import type { ValidateFunction } from 'ajv/dist/2020.js';
export declare function workflowValidator(): ValidateFunction;

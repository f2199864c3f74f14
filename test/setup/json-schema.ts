// The unit tests load workflows synchronously (loadWorkflowText) and call schema checks directly: JSON
// Schema support, which the product loads on demand (src/workflow/json-schema-support.ts), is loaded first.
// test/e2e/json-schema.test.ts checks the on-demand loading through the bundle, where nothing preloads it.
import { loadJsonSchemaSupport } from '../../src/workflow/json-schema-support.js';

await loadJsonSchemaSupport();

// A model may send arguments of any size: a command tool still starts. Values that cannot be environment
// variables (too long one by one, or too many together for the system's limit) stay out of the
// environment; stdin carries the whole JSON.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandTool } from '../../../src/agents/tools/command.js';

const tool = commandTool({
  name: 'count',
  description: 'Count the bytes of the arguments.',
  parameters: {},
  // The stdin JSON's length, then whether the first argument reached the environment.
  run: 'wc -c | tr -d " "; printf "%s" "${TOOL_INPUT_A0:+in-env}"',
  env: {},
  keyEnv: {},
});

function context() {
  return {
    signal: new AbortController().signal,
    env: { PATH: process.env.PATH },
    workspace: mkdtempSync(join(tmpdir(), 'reprise-tool-env-')),
  };
}

describe('command tool arguments too large for the environment', () => {
  it('twenty 120 KB arguments (each fits one variable, together past the limit) still reach stdin', async () => {
    const args = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`a${i}`, 'x'.repeat(120_000)]));
    const outcome = await tool.invoke(args, context());
    expect(outcome.isError).toBe(false);
    expect(outcome.content.split('\n')[0]).toBe(String(Buffer.byteLength(JSON.stringify(args))));
  }, 30_000);

  it('small arguments are in the environment as before', async () => {
    const outcome = await tool.invoke({ a0: 'hello' }, context());
    expect(outcome).toEqual({ content: `${JSON.stringify({ a0: 'hello' }).length}\nin-env`, isError: false });
  });
});

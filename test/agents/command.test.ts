import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callAgent } from '../../src/agents/index.js';
import type { CommandPreset, ProviderDef } from '../../src/workflow/types.js';
import { callErrorOf, makeContext, makeRequest, SEVERITY_SCHEMA } from './helpers.js';

const MIMICS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fakes/agents');
const mimic = (name: string) => path.join(MIMICS, `${name}.mjs`);

let dir: string;
let recordFile: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprise-command-'));
  recordFile = path.join(dir, 'calls.jsonl');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Invocation {
  argv: string[];
  stdin: string;
  cwd: string;
  env: Record<string, string>;
}
const invocations = (): Invocation[] =>
  fs
    .readFileSync(recordFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Invocation);

const context = (env: Record<string, string> = {}) =>
  makeContext({ env: { PATH: process.env['PATH'], MIMIC_RECORD: recordFile, ...env }, cwd: dir });
const preset = (name: CommandPreset, extra: Partial<ProviderDef> = {}): ProviderDef => ({
  name: `my-${name}`,
  type: 'command',
  preset: name,
  command: mimic(name),
  ...extra,
});

describe('command provider: presets', () => {
  it('claude: prompt on stdin, flags, result, usage and reported cost', async () => {
    const result = await callAgent(
      makeRequest(preset('claude'), {
        model: 'claude-sonnet-4-5',
        system: 'be terse',
        prompt: 'fix the bug',
      }),
      context(),
    );
    expect(result.text).toBe('echo: fix the bug');
    expect(result.model).toBe('claude-sonnet-4-5');
    expect(result.usage).toEqual({
      inputTokens: 115,
      outputTokens: 20,
      cachedInputTokens: 100,
      costUsd: 0.0123,
    });
    const [call] = invocations();
    expect(call?.argv).toEqual([
      '-p',
      '--output-format',
      'json',
      '--model',
      'claude-sonnet-4-5',
      '--append-system-prompt',
      'be terse',
      '--disallowedTools',
      'Edit,MultiEdit,Write,NotebookEdit,WebFetch,WebSearch,Bash',
    ]);
    expect(call?.stdin).toBe('fix the bug');
  });

  it('claude: is_error with a rate limit is recoverable, with the message', async () => {
    const error = await callErrorOf(
      callAgent(makeRequest(preset('claude')), context({ MIMIC_MODE: 'error' })),
    );
    expect(error.errorClass).toBe('recoverable');
    expect(error.message).toContain('rate limit exceeded');
    expect(error.message).toContain('provider "my-claude" (claude)');
  });

  it('codex: the final agent message and the turn usage from the JSONL events', async () => {
    const result = await callAgent(
      makeRequest(preset('codex'), { model: 'gpt-5', prompt: 'refactor' }),
      context(),
    );
    expect(result.text).toBe('echo: refactor');
    // gpt-5: $1.25 in, $0.125 cached, $10 out: 315*1.25 + 24448*0.125 + 122*10 = 4669.75 per million
    expect(result.usage).toEqual({
      inputTokens: 24763,
      outputTokens: 122,
      cachedInputTokens: 24448,
      costUsd: 0.00466975,
    });
    expect(invocations()[0]?.argv).toEqual(['exec', '--json', '-m', 'gpt-5', '--sandbox', 'read-only']);
    expect(invocations()[0]?.stdin).toBe('refactor');
  });

  it('codex: a failed turn is reported with its message', async () => {
    const error = await callErrorOf(
      callAgent(makeRequest(preset('codex'), { model: '' }), context({ MIMIC_MODE: 'error' })),
    );
    expect(error.errorClass).toBe('recoverable');
    expect(error.message).toContain('429 Too Many Requests');
  });

  it('gemini: response and token stats; the system prompt goes before the prompt', async () => {
    const result = await callAgent(
      makeRequest(preset('gemini'), { model: 'gemini-2.5-pro', system: 'context', prompt: 'explain' }),
      context(),
    );
    expect(result.text).toBe('echo: context\n\nexplain');
    expect(result.model).toBe('gemini-2.5-pro');
    expect(result.usage).toEqual({
      inputTokens: 24939,
      outputTokens: 174,
      cachedInputTokens: 21263,
      costUsd: null,
    });
    expect(invocations()[0]?.argv).toEqual([
      '--output-format',
      'json',
      '-m',
      'gemini-2.5-pro',
      '--approval-mode',
      'default',
    ]);
  });

  it('copilot: the prompt as an argument, text output, usage unknown', async () => {
    const result = await callAgent(
      makeRequest(preset('copilot'), { model: '', prompt: 'add tests' }),
      context(),
    );
    expect(result.text).toBe('echo: add tests');
    // No usage reported: estimated from what went in and out (four characters a token), price unknown.
    expect(result.usage).toEqual({
      inputTokens: 3,
      outputTokens: 4,
      cachedInputTokens: 0,
      costUsd: null,
      estimated: true,
    });
    const [call] = invocations();
    expect(call?.argv).toEqual(['-p', 'add tests', '-s', '--deny-tool', 'write']);
    expect(call?.stdin).toBe('');
  });

  it('extra args add to the preset flags; cwd and env come from the provider', async () => {
    fs.mkdirSync(path.join(dir, 'repo'));
    await callAgent(
      makeRequest(
        preset('claude', {
          args: ['--max-turns', '3'],
          workingDirectory: 'repo',
          env: { MIMIC_FLAVOR: 'x' },
        }),
        {
          model: '',
        },
      ),
      context(),
    );
    const [call] = invocations();
    expect(call?.argv).toEqual([
      '-p',
      '--output-format',
      'json',
      '--disallowedTools',
      'Edit,MultiEdit,Write,NotebookEdit,WebFetch,WebSearch,Bash',
      '--max-turns',
      '3',
    ]);
    expect(call?.cwd).toBe(fs.realpathSync(path.join(dir, 'repo')));
    expect(call?.env['MIMIC_FLAVOR']).toBe('x');
  });

  it('structured output through a CLI: instructed, parsed, corrected once', async () => {
    const result = await callAgent(
      makeRequest(preset('claude'), { model: '', schema: SEVERITY_SCHEMA }),
      context({ MIMIC_MODE: 'nonconforming-once' }),
    );
    expect(result.json).toMatchObject({ severity: 'none', summary: 'summary' });
    const calls = invocations();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.stdin).toContain('Your previous answer was:\n{}');
    expect(calls[1]?.stdin).toContain("must have required property 'severity'");
    expect(result.usage.costUsd).toBe(0.0246);
  });
});

describe('command provider: generic programs', () => {
  it('text output: stdout trimmed, with {prompt} and {model} placeholders', async () => {
    const result = await callAgent(
      makeRequest(
        {
          name: 'script',
          type: 'command',
          command: process.execPath,
          args: [
            '-e',
            'console.log("  " + process.argv[1] + " / " + process.argv[2] + "  ")',
            '{prompt}',
            '{model}',
          ],
        },
        { model: 'tiny', prompt: 'hello' },
      ),
      context(),
    );
    expect(result.text).toBe('hello / tiny');
    expect(result.usage.costUsd).toBeNull();
  });

  it('a {prompt} past the argument limit fails clearly, with the fix (spawn() throws E2BIG itself)', async () => {
    const error = await callErrorOf(
      callAgent(
        makeRequest(
          { name: 'script', type: 'command', command: process.execPath, args: ['-e', '0', '{prompt}'] },
          { model: 'tiny', prompt: 'x'.repeat(4 * 1024 * 1024) },
        ),
        context(),
      ),
    );
    expect(error.message).toContain('the prompt is too long for a command-line argument');
    expect(error.message).toContain('pass it on stdin');
  });

  it('json output: the result field, with usage when present', async () => {
    const program =
      'process.stdin.resume(); let s=""; process.stdin.on("data", d => s += d).on("end", () => console.log(JSON.stringify({ result: "got " + s, usage: { input_tokens: 7, output_tokens: 3 }, total_cost_usd: 0.5 })))';
    const result = await callAgent(
      makeRequest(
        {
          name: 'json-agent',
          type: 'command',
          command: process.execPath,
          args: ['-e', program],
          output: 'json',
        },
        { prompt: 'x' },
      ),
      context(),
    );
    expect(result.text).toBe('got x');
    expect(result.usage).toEqual({ inputTokens: 7, outputTokens: 3, cachedInputTokens: 0, costUsd: 0.5 });
  });
});

describe('command provider: failures', () => {
  it('a non-zero exit is fatal, with the stderr tail', async () => {
    const error = await callErrorOf(
      callAgent(makeRequest({ name: 'broken', type: 'command', command: mimic('fail') }), context()),
    );
    expect(error.errorClass).toBe('fatal');
    expect(error.message).toContain('exited with code 3');
    expect(error.message).toContain('Error: the agent crashed');
  });

  it('a non-zero exit mentioning a rate limit is recoverable', async () => {
    const error = await callErrorOf(
      callAgent(
        makeRequest({ name: 'broken', type: 'command', command: mimic('fail') }),
        context({ MIMIC_STDERR: 'Error: 429 Too Many Requests' }),
      ),
    );
    expect(error.errorClass).toBe('recoverable');
  });

  it('garbage where JSON was expected is fatal and shows the start of the output', async () => {
    const error = await callErrorOf(
      callAgent(makeRequest(preset('claude', { command: mimic('garbage') })), context()),
    );
    expect(error.errorClass).toBe('fatal');
    expect(error.message).toContain('provider "my-claude" (claude) printed output that is not JSON');
    expect(error.message).toContain('Welcome to agent v0.0.1!');
  });

  it('a program that is not installed is fatal and named', async () => {
    const error = await callErrorOf(
      callAgent(makeRequest({ name: 'ghost', type: 'command', command: 'reprise-no-such-agent' }), context()),
    );
    expect(error.errorClass).toBe('fatal');
    expect(error.message).toContain('command "reprise-no-such-agent" was not found');
  });

  it('a command provider without a command or preset is fatal', async () => {
    const error = await callErrorOf(callAgent(makeRequest({ name: 'empty', type: 'command' }), context()));
    expect(error.message).toContain('has no command');
  });

  for (const how of ['timeout', 'abort'] as const) {
    it(`a hang is ended by ${how}, and the whole process tree is killed`, async () => {
      const pidFile = path.join(dir, 'grandchild.pid');
      const controller = new AbortController();
      const started = Date.now();
      const pending = callErrorOf(
        callAgent(
          makeRequest({
            name: 'stuck',
            type: 'command',
            command: mimic('hang'),
            ...(how === 'timeout' ? { timeoutMs: 2000 } : {}),
          }),
          { ...context({ MIMIC_PIDFILE: pidFile }), signal: controller.signal },
        ),
      );
      while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8') === '') {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
      expect(isAlive(grandchild)).toBe(true);
      if (how === 'abort') controller.abort();
      const error = await pending;
      expect(Date.now() - started).toBeLessThan(5000);
      if (how === 'abort') expect(error.aborted).toBe(true);
      else expect(error).toMatchObject({ errorClass: 'recoverable', aborted: false });
      // Signals are delivered asynchronously; give the kernel a moment, not the process a chance.
      await vi.waitFor(() => expect(isAlive(grandchild)).toBe(false), { timeout: 2000 });
    });
  }
});

/** Running, not a zombie (a killed process whose parent died may linger unreaped in a container). */
describe('command provider: a leader that exits early', () => {
  it('is still cut off at the timeout when a background child keeps its output open', async () => {
    const started = Date.now();
    const error = await callErrorOf(
      callAgent(
        makeRequest({
          name: 'daemonizer',
          type: 'command',
          command: 'sh',
          args: ['-c', '(sleep 30; echo late) & echo started'],
          timeoutMs: 500,
        }),
        context(),
      ),
    );
    expect(error.errorClass).toBe('recoverable');
    expect(error.message).toContain('did not finish within 500 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

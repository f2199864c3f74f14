// The injection corpus through the routes that leave the engine: dispatch inputs (`github.event.inputs`)
// in the action, the prompt of a real command-agent process, and the arguments of a command tool and an
// MCP tool (with the MCP server's env built from an input). Payloads are batched, one process per shell
// and route. Every value arrives verbatim and no marker file ever appears.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionHost } from '../../src/action/host.js';
import { runMain } from '../../src/action/main.js';
import { runAttempt } from '../../src/attempt.js';
import { emptyJournalRead } from '../../src/journal/reader.js';
import { formatProblem, loadWorkflowFile } from '../../src/workflow/loader.js';
import type { FakeServer } from '../fakes/common.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { toolResults, toolScript } from '../fakes/tool-script.js';
import { NUL_PAYLOAD, SHELLS, injectionPayloads } from './payloads.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-inject-routes-'));
const MARKER = join(dir, 'pwned');
const PAYLOADS = injectionPayloads(MARKER);
/** Separates the payloads in one batched value (no payload holds it). */
const RS = '\u001e';
const JOINED = PAYLOADS.join(RS);

afterAll(() => {
  expect(existsSync(MARKER)).toBe(false);
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` into a fresh workspace and loads its `w.yml`. */
async function workspaceWith(files: Record<string, string>) {
  const workspace = mkdtempSync(join(dir, 'ws-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(workspace, name, '..'), { recursive: true });
    writeFileSync(join(workspace, name), text);
    if (/\.(sh|py)$/.test(name)) chmodSync(join(workspace, name), 0o755);
  }
  const { workflow, problems } = await loadWorkflowFile(join(workspace, 'w.yml'));
  if (!workflow) throw new Error(problems.map(formatProblem).join('\n'));
  return { workspace, workflow };
}

async function attempt(files: Record<string, string>, env: Record<string, string | undefined>, inputs = {}) {
  const { workspace, workflow } = await workspaceWith(files);
  const { result } = await runAttempt({
    workflow,
    runId: 'r',
    journalPath: join(workspace, 'journal.jsonl'),
    previous: emptyJournalRead(join(workspace, 'journal.jsonl')),
    given: { values: inputs, fromStrings: false },
    workspace,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return { result, workspace };
}

describe('dispatch inputs (github.event.inputs) in the action', () => {
  it('reach every shell through env:, verbatim; nothing runs', async () => {
    const names = PAYLOADS.map((_, i) => `V${i}`);
    const env = `{ ${names.map((name, i) => `${name}: "\${{ github.event.inputs.p${i} }}"`).join(', ')} }`;
    const sep = '\\036';
    const script: Record<string, string> = {
      bash: `printf '%s${sep}' ${names.map((name) => `"$${name}"`).join(' ')}`,
      sh: `printf '%s${sep}' ${names.map((name) => `"$${name}"`).join(' ')}`,
      python: `import os, sys; sys.stdout.write("".join(os.environ["V%d" % i] + "\\x1e" for i in range(${names.length})))`,
      pwsh: `foreach ($i in 0..${names.length - 1}) { [Console]::Out.Write((Get-Item "env:V$i").Value + [char]0x1e) }`,
    };
    const shells = SHELLS.map(({ shell }) => shell);
    const workflow = [
      'name: dispatch',
      'steps:',
      ...shells.flatMap((shell) => [
        `  - id: ${shell}`,
        `    shell: ${shell}`,
        `    env: ${env}`,
        `    run: '${script[shell]!.replaceAll("'", "''")}'`,
      ]),
      'outputs:',
      ...shells.map((shell) => `  ${shell}: \${{ steps.${shell}.outputs.stdout }}`),
      '',
    ].join('\n');
    const root = mkdtempSync(join(dir, 'action-'));
    mkdirSync(join(root, 'workspace', '.github', 'reprise'), { recursive: true });
    writeFileSync(join(root, 'workspace', '.github', 'reprise', 'dispatch.yml'), workflow);
    const event = { inputs: Object.fromEntries(PAYLOADS.map((payload, i) => [`p${i}`, payload])) };
    writeFileSync(join(root, 'event.json'), JSON.stringify(event));

    const outputs: Record<string, string> = {};
    const problems: string[] = [];
    const host: ActionHost = {
      env: {
        PATH: process.env.PATH,
        GITHUB_WORKSPACE: join(root, 'workspace'),
        RUNNER_TEMP: join(root, 'temp'),
        GITHUB_RUN_ID: '14',
        GITHUB_JOB: 'dispatch',
        GITHUB_EVENT_NAME: 'workflow_dispatch',
        GITHUB_EVENT_PATH: join(root, 'event.json'),
      },
      getInput: (name) =>
        ({ workflow: '.github/reprise/dispatch.yml', cache: 'false', artifacts: 'false' })[name] ?? '',
      setOutput: (name, value) => {
        outputs[name] = String(value);
      },
      setFailed: (message) => problems.push(message),
      markFailed: () => problems.push('failed'),
      info: () => {},
      warning: () => {},
      error: (message) => problems.push(message),
      startGroup: () => {},
      endGroup: () => {},
      setSecret: () => {},
      saveState: () => {},
      getState: () => '',
      writeSummary: async () => {},
    };
    await runMain(host);
    expect(problems).toEqual([]);
    expect(outputs.status).toBe('succeeded');
    const printed = JSON.parse(outputs.outputs ?? '{}') as Record<string, string>;
    for (const shell of shells) expect(printed[shell]?.split(RS).slice(0, -1), shell).toEqual(PAYLOADS);
    expect(existsSync(MARKER)).toBe(false);
  }, 120_000);
});

describe('the prompt of a real command-agent process', () => {
  it('arrives as one argv element ({prompt} and --prompt={prompt}), verbatim, in bash, sh and python agents', async () => {
    // Each agent writes what it received to a file beside it and answers it back between [[ ]].
    const { result, workspace } = await attempt(
      {
        'w.yml': `
name: agent-prompt
inputs:
  all: { type: string }
providers:
  bash-agent: { type: command, command: ./agents/echo.sh, args: ['{prompt}'] }
  sh-agent: { type: command, command: sh, args: [./agents/echo-sh.sh, '--prompt={prompt}'] }
  python-agent: { type: command, command: python3, args: [./agents/echo.py, '{prompt}'] }
steps:
  - id: bash
    agent: { provider: bash-agent, model: m, prompt: "\${{ inputs.all }}" }
  - id: sh
    agent: { provider: sh-agent, model: m, prompt: "\${{ inputs.all }}" }
  - id: python
    agent: { provider: python-agent, model: m, prompt: "\${{ inputs.all }}" }
outputs:
  bash: \${{ steps.bash.outputs.text }}
  sh: \${{ steps.sh.outputs.text }}
  python: \${{ steps.python.outputs.text }}
`,
        'agents/echo.sh': `#!/usr/bin/env bash\nprintf '%s' "$1" > "$(dirname "$0")/bash.received"\nprintf '[[%s]]' "$1"\n`,
        'agents/echo-sh.sh': `v="\${1#--prompt=}"\nprintf '%s' "$v" > "$(dirname "$0")/sh.received"\nprintf '[[%s]]' "$v"\n`,
        'agents/echo.py':
          'import os, sys\n' +
          'v = sys.argv[1]\n' +
          'open(os.path.join(os.path.dirname(__file__), "python.received"), "w", encoding="utf-8", newline="").write(v)\n' +
          'sys.stdout.write("[[" + v + "]]")\n',
      },
      {},
      { all: JOINED },
    );
    expect(result.error).toBeUndefined();
    for (const agent of ['bash', 'sh', 'python']) {
      expect(readFileSync(join(workspace, 'agents', `${agent}.received`), 'utf8'), agent).toBe(JOINED);
      expect(result.outputs[agent], agent).toBe(`[[${JOINED}]]`);
    }
    expect(existsSync(MARKER)).toBe(false);
  }, 60_000);
});

describe('tool arguments', () => {
  let openai: FakeServer;
  beforeAll(async () => {
    openai = await startFakeOpenAI();
  });
  afterAll(async () => {
    await openai.close();
  });

  it('reach command tools (stdin, $TOOL_INPUT_*) in every shell and an MCP tool as data, verbatim', async () => {
    const list = [...PAYLOADS, NUL_PAYLOAD];
    const toolShells = SHELLS.map(({ shell }) => shell);
    const print: Record<string, string> = {
      bash: `printf '%s\\035' "$TOOL_INPUT_TEXT"; cat`,
      sh: `printf '%s\\035' "$TOOL_INPUT_TEXT"; cat`,
      python: `import os, sys; sys.stdout.write(os.environ["TOOL_INPUT_TEXT"] + "\\x1d" + sys.stdin.read())`,
      pwsh: `[Console]::Out.Write($env:TOOL_INPUT_TEXT + [char]0x1d + [Console]::In.ReadToEnd())`,
    };
    openai.respond(
      toolScript((turn) =>
        turn === 0
          ? {
              text: 'calling',
              toolCalls: [
                ...toolShells.map((shell) => ({ name: `echo_${shell}`, arguments: { text: JOINED, list } })),
                // A NUL cannot be in an environment string: the tool still starts, the value arrives on stdin.
                { name: 'echo_bash', arguments: { text: NUL_PAYLOAD } },
                { name: 'mcp__echo', arguments: { text: JOINED } },
                { name: 'mcp__getenv', arguments: { name: 'PAYLOAD' } },
              ],
            }
          : { text: 'done' },
      ),
    );
    const tools = toolShells.flatMap((shell) => [
      `  echo_${shell}:`,
      `    description: Print the arguments.`,
      `    parameters: { type: object, properties: { text: { type: string }, list: { type: array } } }`,
      `    shell: ${shell}`,
      `    run: '${print[shell]!.replaceAll("'", "''")}'`,
    ]);
    const { result } = await attempt(
      {
        'w.yml': [
          'name: tool-args',
          'inputs:',
          '  all: { type: string }',
          'defaults: { provider: openai, model: gpt-4.1-mini, retries: 0 }',
          'tools:',
          ...tools,
          'mcp-servers:',
          '  mcp:',
          '    command: node',
          `    args: [${JSON.stringify(resolve('test/fakes/mcp-stdio-server.mjs'))}]`,
          '    env: { PAYLOAD: "${{ inputs.all }}" }',
          'steps:',
          '  - id: work',
          '    agent:',
          '      prompt: Use the tools.',
          `      tools: [${toolShells.map((shell) => `echo_${shell}`).join(', ')}, mcp/echo, mcp/getenv]`,
          '      tool-result-limit: 10000000',
          '',
        ].join('\n'),
      },
      { OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'test-key' },
      { all: JOINED },
    );
    expect(result.error).toBeUndefined();
    const results = toolResults(openai.requests.at(-1)!);
    expect(results).toHaveLength(toolShells.length + 3);
    toolShells.forEach((shell, i) => {
      const [text, stdin] = results[i]!.content.split('\u001d');
      expect(results[i]!.isError, shell).toBe(false);
      expect(text, shell).toBe(JOINED);
      expect(JSON.parse(stdin ?? ''), shell).toEqual({ text: JOINED, list });
    });
    const nul = results[toolShells.length]!;
    expect(nul.isError).toBe(false);
    expect(JSON.parse(nul.content.split('\u001d')[1] ?? '')).toEqual({ text: NUL_PAYLOAD });
    expect(results[toolShells.length + 1]).toEqual({ content: `echo: ${JOINED}`, isError: false });
    expect(results[toolShells.length + 2]).toEqual({ content: JOINED, isError: false });
    expect(existsSync(MARKER)).toBe(false);
  }, 120_000);
});

// The `command` provider: a coding-agent CLI (claude, codex, gemini, copilot) or any program that reads a
// prompt and prints an answer. Presets know each CLI's flags and output format; the rest is generic.
import path from 'node:path';
import type { CommandPreset, ProviderDef } from '../workflow/types.js';
import { isRecord } from './http.js';
import { estimateTokens, toUsage, type TokenCounts } from './pricing.js';
import { permissionArgs, toolGrant } from './permissions.js';
import { describeOutputCut, runProcess, type ProcessResult } from './process.js';
import {
  excerpt,
  schemaInstruction,
  withStructuredOutput,
  type Attempt,
  type Correction,
} from './structured.js';
import {
  abortedCallError,
  CallError,
  type AgentProvider,
  type AgentRequest,
  type AgentResult,
  type CallContext,
} from './types.js';

/** What one run of the program said, in reprise's terms. */
interface Parsed {
  text: string;
  tokens?: TokenCounts;
  model?: string;
  /** The program reported a failure in its output (claude `is_error`, codex `turn.failed`). */
  error?: string;
}

interface Preset {
  command: string;
  /** The preset's own arguments; `{prompt}` puts the prompt in an argument instead of on stdin. */
  args(model: string, system: string | undefined): string[];
  /** The system prompt has its own flag; otherwise it is put before the prompt. */
  systemFlag: boolean;
  parse(stdout: string, label: string): Parsed;
}

const PRESETS: Record<CommandPreset, Preset> = {
  // Claude Code: https://docs.claude.com/en/docs/claude-code/sdk/sdk-headless
  claude: {
    command: 'claude',
    args: (model, system) => [
      '-p',
      '--output-format',
      'json',
      ...(model ? ['--model', model] : []),
      ...(system ? ['--append-system-prompt', system] : []),
    ],
    systemFlag: true,
    parse: parseClaude,
  },
  // Codex CLI: `codex exec --json` prints JSONL events; the prompt is read from stdin.
  codex: {
    command: 'codex',
    args: (model) => ['exec', '--json', ...(model ? ['-m', model] : [])],
    systemFlag: false,
    parse: parseCodex,
  },
  // Gemini CLI: headless when stdin is not a terminal; the prompt is read from stdin.
  gemini: {
    command: 'gemini',
    args: (model) => ['--output-format', 'json', ...(model ? ['-m', model] : [])],
    systemFlag: false,
    parse: parseGemini,
  },
  // GitHub Copilot CLI: programmatic mode takes the prompt as `-p`; `-s` prints only the answer. What it may do
  // beyond reading comes from `allow-tools` (there is nobody to approve tools in CI).
  copilot: {
    command: 'copilot',
    args: (model) => ['-p', '{prompt}', '-s', ...(model ? ['--model', model] : [])],
    systemFlag: false,
    parse: (stdout) => ({ text: stdout.trim() }),
  },
};

function parseJsonOutput(stdout: string, label: string): unknown {
  const trimmed = stdout.trim();
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    // Some CLIs print a banner or warnings first; the answer is then the last line.
    const last = trimmed.split('\n').at(-1) ?? '';
    try {
      return JSON.parse(last) as unknown;
    } catch {
      throw new CallError(`${label} printed output that is not JSON: ${excerpt(stdout)}`, 'fatal');
    }
  }
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function parseClaude(stdout: string, label: string): Parsed {
  const value = parseJsonOutput(stdout, label);
  if (!isRecord(value)) throw new CallError(`${label} printed unexpected JSON: ${excerpt(stdout)}`, 'fatal');
  const text = typeof value['result'] === 'string' ? value['result'] : '';
  const usage = isRecord(value['usage']) ? value['usage'] : {};
  const cached = num(usage['cache_read_input_tokens']);
  const written = num(usage['cache_creation_input_tokens']);
  const cost = value['total_cost_usd'];
  const models = isRecord(value['modelUsage']) ? Object.keys(value['modelUsage']) : [];
  return {
    text,
    tokens: {
      input: num(usage['input_tokens']) + cached + written,
      output: num(usage['output_tokens']),
      cached,
      cacheWrite: written,
      ...(typeof cost === 'number' ? { reportedCostUsd: cost } : {}),
    },
    model: models[0],
    ...(value['is_error'] === true ? { error: text || String(value['subtype'] ?? 'error') } : {}),
  };
}

function parseCodex(stdout: string, label: string): Parsed {
  let text: string | undefined;
  let tokens: TokenCounts | undefined;
  let error: string | undefined;
  let events = 0;
  for (const line of stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(event)) continue;
    events++;
    const type = event['type'];
    const item = isRecord(event['item']) ? event['item'] : undefined;
    if (type === 'item.completed' && item) {
      const kind = item['type'] ?? item['item_type'];
      if ((kind === 'agent_message' || kind === 'assistant_message') && typeof item['text'] === 'string') {
        text = item['text'];
      }
    } else if (type === 'turn.completed' && isRecord(event['usage'])) {
      // Codex follows OpenAI: input_tokens includes cached_input_tokens.
      const usage = event['usage'];
      tokens = {
        input: (tokens?.input ?? 0) + num(usage['input_tokens']),
        output: (tokens?.output ?? 0) + num(usage['output_tokens']),
        cached: (tokens?.cached ?? 0) + num(usage['cached_input_tokens']),
      };
    } else if (type === 'turn.failed') {
      const failure = isRecord(event['error']) ? event['error'] : {};
      error = typeof failure['message'] === 'string' ? failure['message'] : 'turn failed';
    } else if (type === 'error' && typeof event['message'] === 'string') {
      error = event['message'];
    }
  }
  if (events === 0) throw new CallError(`${label} printed no JSON events: ${excerpt(stdout)}`, 'fatal');
  if (text === undefined && !error) {
    throw new CallError(`${label} finished without an agent message: ${excerpt(stdout)}`, 'fatal');
  }
  return { text: text ?? '', tokens, ...(error ? { error } : {}) };
}

function parseGemini(stdout: string, label: string): Parsed {
  const value = parseJsonOutput(stdout, label);
  if (!isRecord(value)) throw new CallError(`${label} printed unexpected JSON: ${excerpt(stdout)}`, 'fatal');
  const stats = isRecord(value['stats']) ? value['stats'] : {};
  const models = isRecord(stats['models']) ? stats['models'] : {};
  let tokens: TokenCounts | undefined;
  for (const entry of Object.values(models)) {
    const counts = isRecord(entry) && isRecord(entry['tokens']) ? entry['tokens'] : undefined;
    if (!counts) continue;
    // Gemini's prompt count includes cached tokens; thoughts are billed as output.
    tokens = {
      input: (tokens?.input ?? 0) + num(counts['prompt']),
      output: (tokens?.output ?? 0) + num(counts['candidates']) + num(counts['thoughts']),
      cached: (tokens?.cached ?? 0) + num(counts['cached']),
    };
  }
  const failure = isRecord(value['error']) ? value['error'] : undefined;
  return {
    text: typeof value['response'] === 'string' ? value['response'] : '',
    tokens,
    model: Object.keys(models)[0],
    ...(failure ? { error: typeof failure['message'] === 'string' ? failure['message'] : 'error' } : {}),
  };
}

/** Generic `output: json`: the `result` or `text` field, or the whole value; usage when it is there. */
function parseGenericJson(stdout: string, label: string): Parsed {
  const value = parseJsonOutput(stdout, label);
  if (!isRecord(value)) return { text: JSON.stringify(value) };
  const text =
    typeof value['result'] === 'string'
      ? value['result']
      : typeof value['text'] === 'string'
        ? value['text']
        : JSON.stringify(value);
  const usage = isRecord(value['usage']) ? value['usage'] : undefined;
  const cost = value['total_cost_usd'] ?? value['cost_usd'] ?? usage?.['cost'];
  const tokens: TokenCounts | undefined = usage
    ? {
        input: num(usage['input_tokens'] ?? usage['prompt_tokens']),
        output: num(usage['output_tokens'] ?? usage['completion_tokens']),
        cached: num(usage['cache_read_input_tokens'] ?? usage['cached_input_tokens']),
        ...(typeof cost === 'number' ? { reportedCostUsd: cost } : {}),
      }
    : undefined;
  return { text, tokens, ...(typeof value['model'] === 'string' ? { model: value['model'] } : {}) };
}

/** Errors worth another try: the CLI hit a rate limit or an overloaded backend. */
const TRANSIENT =
  /rate.?limit|too many requests|\b429\b|overloaded|\b529\b|\b503\b|temporarily unavailable|ECONNRESET|ETIMEDOUT/i;

function tail(text: string, lines = 20): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n').slice(-2000);
}

function labelOf(provider: ProviderDef): string {
  return `provider "${provider.name}"${provider.preset ? ` (${provider.preset})` : ''}`;
}

/** The prompt as the program gets it: the system prompt, the prompt, the schema instruction, a correction. */
function fullPrompt(request: AgentRequest, preset: Preset | undefined, correction?: Correction): string {
  const parts: string[] = [];
  if (request.system && !preset?.systemFlag) parts.push(request.system);
  parts.push(request.prompt);
  if (request.schema) parts.push(schemaInstruction(request.schema));
  if (correction) {
    parts.push(`Your previous answer was:\n${correction.previousText}`, correction.message);
  }
  return parts.join('\n\n');
}

/** The program a command provider starts (its `command`, else its preset's); undefined when it has none. */
export function commandProgram(provider: ProviderDef): string | undefined {
  return provider.command ?? (provider.preset ? PRESETS[provider.preset].command : undefined);
}

/** A `./` or `../` path in a provider's command line is relative to its workflow file, wherever reprise runs. */
function local<T extends string | undefined>(provider: AgentRequest['provider'], arg: T): T {
  if (arg === undefined || provider.baseDir === undefined || !/^\.\.?[\\/]/.test(arg)) return arg;
  return path.resolve(provider.baseDir, arg) as T;
}

function invocation(
  request: AgentRequest,
  prompt: string,
): { command: string; args: string[]; stdin: string } {
  const provider = request.provider;
  const preset = provider.preset ? PRESETS[provider.preset] : undefined;
  const command = local(provider, commandProgram(provider));
  if (!command) {
    throw new CallError(
      `${labelOf(provider)} has no command: set command (and args), or a preset (claude, codex, gemini, copilot)`,
      'fatal',
    );
  }
  const system = preset?.systemFlag ? request.system : undefined;
  // With a preset, `args` adds to the preset's own flags; without one, `args` is the whole argument list.
  const own = [
    ...(preset?.args(request.model, system) ?? []),
    ...(provider.args ?? []).map((arg) => local(provider, arg)),
  ];
  const inArgument = own.some((arg) => arg.includes('{prompt}'));
  // Replaced by functions: a string replacement would expand `$&`, `$$`, `$'` and `` $` `` in the prompt.
  const fill = (arg: string) =>
    arg.replaceAll('{model}', () => request.model).replaceAll('{prompt}', () => prompt);
  // Permission flags come from `allow-tools`, after the preset's flags and before the provider's `args`; they
  // are never templated.
  const permissions = provider.preset ? permissionArgs(provider.preset, toolGrant(provider.allowTools)) : [];
  const presetCount = preset?.args(request.model, system).length ?? 0;
  const args = [...own.slice(0, presetCount).map(fill), ...permissions, ...own.slice(presetCount).map(fill)];
  return { command, args, stdin: inArgument ? '' : prompt };
}

function failure(
  result: ProcessResult,
  parsed: Parsed | undefined,
  label: string,
  command: string,
): CallError {
  const said = parsed?.error ?? tail(result.stderr || result.stdout);
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
  const message =
    parsed?.error && result.exitCode === 0 ? `${label} reported an error` : `${label}: ${command} ${how}`;
  const errorClass = TRANSIENT.test(said) ? 'recoverable' : 'fatal';
  return new CallError(said ? `${message}:\n${said}` : message, errorClass);
}

async function attemptOnce(
  request: AgentRequest,
  context: CallContext,
  correction: Correction | undefined,
): Promise<Attempt> {
  const provider = request.provider;
  const label = labelOf(provider);
  const preset = provider.preset ? PRESETS[provider.preset] : undefined;
  const { command, args, stdin } = invocation(request, fullPrompt(request, preset, correction));
  const timeoutMs = provider.timeoutMs ?? context.timeoutMs;
  const result = await runProcess({
    command,
    args,
    cwd: path.resolve(context.cwd, provider.workingDirectory ?? '.'),
    env: { ...context.env, ...provider.env },
    input: stdin,
    signal: context.signal,
    timeoutMs,
    maxBytes: context.output?.maxBytes,
    spill: context.output?.spill,
    cutEnd: context.output?.cutEnd,
  });

  if (result.ended === 'aborted') throw abortedCallError(`${label}: ${command}`);
  if (result.ended === 'timeout') {
    throw new CallError(
      `${label}: ${command} did not finish within ${timeoutMs} ms and was killed`,
      'recoverable',
    );
  }
  if (result.spawnError) {
    const code = (result.spawnError as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `command "${command}" was not found: install it, or set command to its path`
        : code === 'EACCES'
          ? `command "${command}" is not executable`
          : code === 'E2BIG'
            ? `the prompt is too long for a command-line argument of "${command}": pass it on stdin (drop {prompt} from args)`
            : `command "${command}" could not be started: ${result.spawnError.message}`;
    throw new CallError(`${label}: ${why}`, 'fatal', { cause: result.spawnError });
  }

  // A cut answer is not the answer: never parsed or journaled as if it were.
  if (result.cut?.stdout) {
    throw new CallError(
      `${label}: ${command} printed a longer answer than reprise keeps: ${describeOutputCut('stdout', result.cut.stdout)}`,
      'fatal',
    );
  }
  const parse = preset?.parse ?? (provider.output === 'json' ? parseGenericJson : undefined);
  let parsed: Parsed | undefined;
  try {
    parsed = parse ? parse(result.stdout, label) : { text: result.stdout.trim() };
  } catch (error) {
    // Garbage on stdout of a failed run says less than its exit status and stderr.
    if (result.exitCode !== 0) throw failure(result, undefined, label, command);
    throw error;
  }
  if (result.exitCode !== 0 || parsed.error !== undefined) throw failure(result, parsed, label, command);

  const model = parsed.model ?? (request.model || provider.preset || command);
  if (!parsed.tokens) context.log?.(`${label} reports no token usage; tokens are estimated`);
  const tokens = parsed.tokens ?? estimateTokens(fullPrompt(request, preset, correction), parsed.text);
  const usage = toUsage([model, request.model], tokens, context.pricing);
  // A coding agent's own turns and tool calls are invisible here: without reported usage the cost is unknown,
  // whatever the price table says, and the tokens are a lower bound estimated from what went in and out.
  return {
    text: parsed.text,
    model,
    usage: parsed.tokens ? usage : { ...usage, costUsd: null, estimated: true },
  };
}

export const commandProvider: AgentProvider = {
  call(request: AgentRequest, context: CallContext): Promise<AgentResult> {
    return withStructuredOutput(request, labelOf(request.provider), (correction) =>
      attemptOnce(request, context, correction),
    );
  },
};

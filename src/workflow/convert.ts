// Builds the typed definition from a document that passed validation; shapes are trusted here.
import path from 'node:path';
import { answerSchema } from './answer.js';
import { parseDuration } from './duration.js';
import { isRecord } from './values.js';
import type { Path, YamlSource } from './source.js';
import type {
  AgentSpec,
  AllowTools,
  AskSpec,
  CommandPreset,
  InputDef,
  InputType,
  McpServerDef,
  PhaseDef,
  PriceDef,
  Problem,
  ProviderDef,
  ProviderType,
  StepDef,
  Template,
  ToolDef,
  WorkflowDef,
} from './types.js';

type Raw = Record<string, unknown>;

export function toWorkflowDef(
  raw: Raw,
  source: YamlSource,
  meta: { file: string; scriptHash: string },
): { workflow: WorkflowDef; problems: Problem[] } {
  const problems: Problem[] = [];
  const duration = (value: unknown, path: Path): number | undefined => {
    if (value === undefined) return undefined;
    const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
    if (ms === undefined)
      problems.push(source.problem(path, `"${String(path[path.length - 1])}" is not a duration`));
    return ms;
  };

  const step = (value: unknown, path: Path): StepDef => {
    const s = value as Raw;
    const base = {
      id: s['id'] as string,
      name: optString(s['name']),
      phase: optString(s['phase']),
      if: condition(s['if']),
      env: record(s['env']),
      timeoutMs: duration(s['timeout'], [...path, 'timeout']),
      retries: s['retries'] as number | undefined,
      continueOnError: s['continue-on-error'] === true,
      replay: s['replay'] !== false,
      ...(typeof s['reuse'] === 'boolean' ? { reuse: s['reuse'] } : {}),
      forEach: s['for-each'] as Template,
      concurrency: s['concurrency'] as number | undefined,
      failFast: s['fail-fast'] === true,
      ...(s['shard'] === true ? { shard: true } : {}),
      loc: source.valueAt(path),
    };
    if ('agent' in s) {
      const a = s['agent'] as Raw;
      const agent: AgentSpec = {
        prompt: a['prompt'],
        system: a['system'],
        model: a['model'],
        provider: optString(a['provider']),
        schema: isRecord(a['schema']) ? a['schema'] : undefined,
        temperature: a['temperature'],
        maxTokens: a['max-tokens'],
        tools: Array.isArray(a['tools']) ? a['tools'].map(String) : undefined,
        maxTurns: a['max-turns'] as number | undefined,
        thread: optString(a['thread']),
        toolResultLimit: a['tool-result-limit'] as number | undefined,
      };
      return { ...base, kind: 'agent', agent: dropUndefined(agent) };
    }
    if ('run' in s) {
      return {
        ...base,
        kind: 'run',
        run: s['run'],
        log: s['log'] === true,
        shell: optString(s['shell']),
        workingDirectory: s['working-directory'],
      };
    }
    if ('parallel' in s) {
      const children = s['parallel'] as unknown[];
      return { ...base, kind: 'parallel', steps: children.map((c, i) => step(c, [...path, 'parallel', i])) };
    }
    if ('repeat' in s) {
      const r = s['repeat'] as Raw;
      const children = r['steps'] as unknown[];
      return {
        ...base,
        kind: 'repeat',
        steps: children.map((c, i) => step(c, [...path, 'repeat', 'steps', i])),
        until: condition(r['until']) ?? 'false',
        max: r['max'] as number,
      };
    }
    if ('ask' in s) {
      const a = s['ask'] as Raw;
      const ask: AskSpec = { question: a['question'], answer: answerSchema(a['answer']) };
      if ('default' in a) ask.default = a['default'];
      return { ...base, kind: 'ask', ask };
    }
    return { ...base, kind: 'uses', uses: s['uses'] as string, with: record(s['with']) };
  };

  const inputs: InputDef[] = Object.entries(record(raw['inputs'])).map(([name, value]) => {
    const d = value as Raw;
    return dropUndefined({
      name,
      type: d['type'] as InputType,
      description: optString(d['description']),
      required: d['required'] === true,
      default: d['default'] ?? undefined,
      secret: d['secret'] === true,
      options: Array.isArray(d['options']) ? d['options'].map(String) : undefined,
    });
  });

  const providers: Record<string, ProviderDef> = {};
  for (const [name, value] of Object.entries(record(raw['providers']))) {
    const p = value as Raw;
    providers[name] = dropUndefined({
      name,
      type: p['type'] as ProviderType,
      baseUrl: optString(p['base-url']),
      apiKeyEnv: optString(p['api-key-env']),
      headers: p['headers'] as Record<string, string> | undefined,
      model: optString(p['model']),
      command: optString(p['command']),
      args: p['args'] as string[] | undefined,
      preset: p['preset'] as CommandPreset | undefined,
      output: p['output'] as 'text' | 'json' | undefined,
      stream: typeof p['stream'] === 'boolean' ? p['stream'] : undefined,
      workingDirectory: optString(p['working-directory']),
      baseDir: p['type'] === 'command' ? path.dirname(meta.file) : undefined,
      env: p['env'] as Record<string, string> | undefined,
      timeoutMs: duration(p['timeout'], ['providers', name, 'timeout']),
      allowTools: p['allow-tools'] as AllowTools | undefined,
      maxConcurrency: p['max-concurrency'] as number | undefined,
      requestsPerMinute: p['requests-per-minute'] as number | undefined,
    });
    if (p['allow-tools'] !== undefined && p['preset'] === undefined) {
      problems.push(
        source.problem(
          ['providers', name, 'allow-tools'],
          `provider "${name}": allow-tools maps onto the permission flags of a preset (claude, codex, gemini, copilot); without a preset, put the program's own flags in args`,
        ),
      );
    }
  }

  const pricing: Record<string, PriceDef> = {};
  for (const [model, value] of Object.entries(record(raw['pricing']))) {
    const p = value as Raw;
    pricing[model] = dropUndefined({
      input: p['input'] as number,
      output: p['output'] as number,
      cachedInput: p['cached-input'] as number | undefined,
    });
  }

  const phases: Record<string, PhaseDef> = {};
  for (const [name, value] of Object.entries(record(raw['phases']))) {
    const p = (value ?? {}) as Raw;
    phases[name] = dropUndefined({
      name,
      description: optString(p['description']),
      model: modelList(p['model']),
      provider: optString(p['provider']),
    });
  }

  const tools: Record<string, ToolDef> = {};
  for (const [name, value] of Object.entries(record(raw['tools']))) {
    const t = value as Raw;
    tools[name] = dropUndefined({
      name,
      description: t['description'] as string,
      parameters: isRecord(t['parameters']) ? t['parameters'] : { type: 'object', properties: {} },
      run: t['run'] as string,
      shell: optString(t['shell']),
      env: record(t['env']),
      timeoutMs: duration(t['timeout'], ['tools', name, 'timeout']),
      reuse: t['reuse'] === true ? true : undefined,
    });
  }

  const mcpServers: Record<string, McpServerDef> = {};
  for (const [name, value] of Object.entries(record(raw['mcp-servers']))) {
    const m = value as Raw;
    mcpServers[name] = dropUndefined({
      name,
      command: optString(m['command']),
      args: Array.isArray(m['args']) ? m['args'].map(String) : undefined,
      env: record(m['env']),
      url: optString(m['url']),
      headers: record(m['headers']),
      timeoutMs: duration(m['timeout'], ['mcp-servers', name, 'timeout']),
      reuse: m['reuse'] === true ? true : Array.isArray(m['reuse']) ? m['reuse'].map(String) : undefined,
    });
  }

  const d = record(raw['defaults']);
  const l = record(raw['limits']);
  const workflow: WorkflowDef = {
    name: raw['name'] as string,
    ...(typeof raw['description'] === 'string' ? { description: raw['description'] } : {}),
    file: meta.file,
    scriptHash: meta.scriptHash,
    inputs,
    env: record(raw['env']),
    providers,
    pricing,
    defaults: dropUndefined({
      provider: optString(d['provider']),
      model: modelList(d['model']),
      timeoutMs: duration(d['timeout'], ['defaults', 'timeout']),
      retries: d['retries'] as number | undefined,
      concurrency: d['concurrency'] as number | undefined,
    }),
    limits: dropUndefined({
      maxCalls: l['max-calls'] as number | undefined,
      tokens: l['tokens'] as number | undefined,
      usd: l['usd'] as number | undefined,
      timeoutMs: duration(l['timeout'], ['limits', 'timeout']),
      onUnknownCost: l['on-unknown-cost'] as 'warn' | 'fail' | undefined,
      concurrency: l['concurrency'] as number | undefined,
    }),
    phases,
    tools,
    mcpServers,
    ...(raw['reuse-max-age'] !== undefined
      ? { reuseMaxAgeMs: duration(raw['reuse-max-age'], ['reuse-max-age']) }
      : {}),
    steps: (raw['steps'] as unknown[]).map((s, i) => step(s, ['steps', i])),
    outputs: record(raw['outputs']),
  };
  return { workflow, problems };
}

/** A model, or a fallback list of models. */
function modelList(value: unknown): string | string[] | undefined {
  return Array.isArray(value) ? value.map(String) : optString(value);
}

function optString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `if: true` and `until: false` are written as booleans too. */
function condition(value: unknown): string | undefined {
  return typeof value === 'boolean' ? String(value) : optString(value);
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** Leaves optional fields absent rather than present-but-undefined (exactOptionalPropertyTypes-friendly). */
function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

// Checks the schema cannot express: ids, references between steps, expression scopes, names.
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { jsonSchemaSupport } from './json-schema-support.js';
import { answerProblem, answerSchema } from './answer.js';
import { ExpressionError, parseExpression, parseTemplate, type ParsedExpression } from './expressions.js';
import { inputTypesOf, scriptExpressionProblem, type InputTypes } from './injection.js';
import { checkInputValue } from './input-values.js';
import { STEP_KINDS } from './schema.js';
import { isRecord } from './values.js';
import type { Path, YamlSource } from './source.js';
import { didYouMean } from './suggest.js';
import { WORKSPACE_TOOLS, type InputType, type Problem } from './types.js';

const BUILT_IN_PROVIDERS = ['openai', 'anthropic'];
const STEP_MEMBERS = ['outputs', 'outcome', 'conclusion'];
const ANSWER_SHORTHANDS = ['boolean', 'string', 'number', 'integer'];

interface Scope {
  /** Ids a step may read. */
  visible: ReadonlySet<string>;
  /** Ids of steps in the same parallel group (unreadable). */
  parallelSiblings: ReadonlySet<string>;
  inRepeat: boolean;
}

interface Where {
  scope: Scope;
  /** Id of the step holding the expression, if any. */
  stepId?: string;
  /** Who reads, in messages: `step "a"`, `"until" of step "loop"`, `"outputs"`. */
  reader: string;
  forEach: boolean;
  /** Contexts that make no sense here, with the reason. */
  banned: Record<string, string>;
}

export function semanticProblems(root: unknown, source: YamlSource): Problem[] {
  return new Checker(source).run(root);
}

class Checker {
  private readonly problems: Problem[] = [];
  private readonly firstIdAt = new Map<string, Path>();
  private allIds = new Set<string>();
  private inputNames: string[] = [];
  private inputTypes: InputTypes = new Map();
  private phaseNames: string[] = [];
  private providerNames: string[] = [];
  private toolNames: string[] = [];
  /** Which provider an agent step uses when it names none: by phase, then the default. */
  private providerOfPhase = new Map<string, string>();
  private defaultProvider?: string;
  private commandProviders = new Set<string>();
  private serverNames: string[] = [];

  constructor(private readonly source: YamlSource) {}

  run(root: unknown): Problem[] {
    if (!isRecord(root)) return [];
    this.inputNames = isRecord(root['inputs']) ? Object.keys(root['inputs']) : [];
    this.inputTypes = inputTypesOf(
      Object.entries(isRecord(root['inputs']) ? root['inputs'] : {}).flatMap(([name, def]) =>
        isRecord(def) && typeof def['type'] === 'string' ? [{ name, type: def['type'] as InputType }] : [],
      ),
    );
    this.phaseNames = isRecord(root['phases']) ? Object.keys(root['phases']) : [];
    this.providerNames = [
      ...BUILT_IN_PROVIDERS,
      ...(isRecord(root['providers']) ? Object.keys(root['providers']) : []),
    ];
    const steps = Array.isArray(root['steps']) ? root['steps'] : [];
    this.allIds = new Set(collectIds(steps));

    for (const section of ['inputs', 'outputs', 'providers', 'phases', 'tools', 'mcp-servers', 'pricing']) {
      const names = isRecord(root[section]) ? Object.keys(root[section]) : [];
      for (const name of names.filter(isReservedName)) {
        this.report([section, name], reservedMessage(`name "${name}" in "${section}"`), 'key');
      }
    }
    this.checkInputs(root['inputs']);
    this.checkProvider(isRecord(root['defaults']) ? root['defaults']['provider'] : undefined, [
      'defaults',
      'provider',
    ]);
    if (isRecord(root['providers'])) {
      for (const [name, provider] of Object.entries(root['providers'])) {
        if (isRecord(provider) && Array.isArray(provider['args'])) {
          this.checkCommandArgs(provider['args'], ['providers', name, 'args']);
        }
      }
    }
    if (isRecord(root['phases'])) {
      for (const [name, phase] of Object.entries(root['phases'])) {
        if (isRecord(phase)) this.checkProvider(phase['provider'], ['phases', name, 'provider']);
      }
    }
    this.checkStrings(root['env'], ['env'], {
      scope: emptyScope(),
      reader: 'the workflow env',
      forEach: false,
      banned: {
        steps: 'the workflow env is resolved before any step runs',
        env: 'the workflow env cannot read itself',
      },
    });
    this.toolNames = isRecord(root['tools']) ? Object.keys(root['tools']) : [];
    this.serverNames = isRecord(root['mcp-servers']) ? Object.keys(root['mcp-servers']) : [];
    if (isRecord(root['providers'])) {
      for (const [name, provider] of Object.entries(root['providers'])) {
        if (isRecord(provider) && provider['type'] === 'command') this.commandProviders.add(name);
      }
    }
    if (isRecord(root['phases'])) {
      for (const [name, phase] of Object.entries(root['phases'])) {
        if (isRecord(phase) && typeof phase['provider'] === 'string')
          this.providerOfPhase.set(name, phase['provider']);
      }
    }
    const defaults = root['defaults'];
    if (isRecord(defaults) && typeof defaults['provider'] === 'string')
      this.defaultProvider = defaults['provider'];
    this.checkTools(root['tools']);
    this.checkServers(root['mcp-servers']);
    this.checkSequence(steps, ['steps'], emptyScope());
    this.checkStrings(root['outputs'], ['outputs'], {
      scope: { visible: this.allIds, parallelSiblings: new Set(), inRepeat: false },
      reader: '"outputs"',
      forEach: false,
      banned: {},
    });
    return this.problems;
  }

  private report(path: Path, message: string, where: 'key' | 'value' = 'value'): void {
    this.problems.push(this.source.problem(path, message, where));
  }

  private checkInputs(inputs: unknown): void {
    if (!isRecord(inputs)) return;
    for (const [name, def] of Object.entries(inputs)) {
      if (!isRecord(def) || typeof def['type'] !== 'string') continue;
      const path = ['inputs', name];
      const type = def['type'] as InputType;
      const options = Array.isArray(def['options']) ? def['options'].map(String) : undefined;
      if (type === 'enum' && options === undefined)
        this.report(path, `input "${name}" of type enum needs "options"`);
      if (type !== 'enum' && 'options' in def) {
        this.report([...path, 'options'], `"options" only applies to inputs of type enum`, 'key');
      }
      if ('default' in def && def['default'] !== null && (type !== 'enum' || options !== undefined)) {
        const problem = checkInputValue(name, { type, options }, def['default']);
        if (problem) this.report([...path, 'default'], `default of ${problem}`);
      }
    }
  }

  /** Command tools: fixed scripts, real parameter schemas, env resolved once per run (before any step). */
  private checkTools(tools: unknown): void {
    if (!isRecord(tools)) return;
    for (const [name, tool] of Object.entries(tools)) {
      if (!isRecord(tool)) continue;
      const path = ['tools', name];
      if ((WORKSPACE_TOOLS as readonly string[]).includes(name)) {
        this.report(path, `tool "${name}" has the name of a built-in workspace tool; choose another`, 'key');
      }
      if (typeof tool['run'] === 'string' && tool['run'].includes('${{')) {
        this.report(
          [...path, 'run'],
          `the script of tool "${name}" takes no \${{ }} expressions: its arguments arrive on stdin, in $TOOL_INPUT and ` +
            `in $TOOL_INPUT_<NAME>; other values go through the tool's env`,
        );
      }
      const parameters = tool['parameters'];
      if (isRecord(parameters)) {
        const problem = agentSchemaProblem(parameters);
        if (problem !== undefined) {
          this.report([...path, 'parameters'], `"parameters" is not a valid JSON Schema: ${problem}`);
        } else if (parameters['type'] !== 'object') {
          this.report([...path, 'parameters'], `"parameters" must be an object schema (type: object)`);
        }
      }
      this.checkStrings(tool['env'], [...path, 'env'], runWideWhere(`tool "${name}"`));
    }
  }

  private checkServers(servers: unknown): void {
    if (!isRecord(servers)) return;
    for (const [name, server] of Object.entries(servers)) {
      if (!isRecord(server)) continue;
      const path = ['mcp-servers', name];
      for (const key of ['command', 'args', 'url'] as const) {
        const value = server[key];
        const texts = Array.isArray(value) ? value : [value];
        if (texts.some((text) => typeof text === 'string' && text.includes('${{'))) {
          this.report(
            [...path, key],
            `"${key}" of MCP server "${name}" takes no \${{ }} expressions: it is what identifies the server; pass values through env or headers`,
          );
        }
      }
      for (const key of ['args', 'env'] as const) {
        if (key in server && 'url' in server) {
          this.report([...path, key], `"${key}" only applies to stdio servers (with "command")`, 'key');
        }
      }
      if ('headers' in server && 'command' in server) {
        this.report([...path, 'headers'], `"headers" only applies to HTTP servers (with "url")`, 'key');
      }
      for (const key of ['env', 'headers'] as const) {
        this.checkStrings(server[key], [...path, key], runWideWhere(`MCP server "${name}"`));
      }
    }
  }

  private checkStepTools(agent: Record<string, unknown>, path: Path, forEach: boolean): void {
    const tools = Array.isArray(agent['tools']) ? agent['tools'] : [];
    const names = [...this.toolNames, ...WORKSPACE_TOOLS, ...this.serverNames.map((server) => `${server}/*`)];
    tools.forEach((selector, i) => {
      if (typeof selector !== 'string') return;
      const at = [...path, 'tools', i];
      const slash = selector.indexOf('/');
      if (slash > 0) {
        const server = selector.slice(0, slash);
        if (!this.serverNames.includes(server)) {
          const hint = didYouMean(server, this.serverNames) || ' (declare it under "mcp-servers")';
          this.report(at, `unknown MCP server "${server}" in "${selector}"${hint}`);
        } else if (selector.length === slash + 1) {
          this.report(at, `"${selector}" names no tool: write "${server}/*" or "${server}/<tool>"`);
        }
      } else if (!names.includes(selector)) {
        const hint =
          didYouMean(selector, names) ||
          ' (declare it under "tools", or use read_file, list_files, search_text, or server/*)';
        this.report(at, `unknown tool "${selector}"${hint}`);
      }
    });
    if ('thread' in agent && forEach) {
      this.report(
        [...path, 'thread'],
        '"thread" cannot be used with "for-each": the items would write one conversation at once',
        'key',
      );
    }
  }

  /** A command provider (a CLI agent) brings its own tools: reprise cannot run a loop through it. */
  private checkLoopProvider(agent: Record<string, unknown>, phase: unknown, path: Path): void {
    const key = 'tools' in agent ? 'tools' : 'thread' in agent ? 'thread' : undefined;
    if (key === undefined) return;
    const provider =
      (typeof agent['provider'] === 'string' ? agent['provider'] : undefined) ??
      (typeof phase === 'string' ? this.providerOfPhase.get(phase) : undefined) ??
      this.defaultProvider;
    if (provider !== undefined && this.commandProviders.has(provider)) {
      this.report(
        [...path, key],
        `"${key}" needs an openai or anthropic provider; provider "${provider}" is a command agent, which brings its own tools`,
        'key',
      );
    }
  }

  /** Two branches of one parallel group writing the same conversation would race on it. */
  private checkParallelThreads(children: unknown[], path: Path): void {
    const owner = new Map<string, number>();
    children.forEach((child, i) => {
      for (const { thread, at } of threadsIn(child, [...path, i])) {
        const first = owner.get(thread);
        if (first === undefined) owner.set(thread, i);
        else if (first !== i) {
          this.report(
            at,
            `thread "${thread}" is also used by another branch of this parallel group: branches run at once, so the conversation's order would depend on timing`,
          );
        }
      }
    });
  }

  private checkProvider(name: unknown, path: Path): void {
    if (typeof name !== 'string' || name.includes('${{') || this.providerNames.includes(name)) return;
    this.report(
      path,
      `unknown provider "${name}"${didYouMean(name, this.providerNames) || ' (declare it under "providers")'}`,
    );
  }

  private checkSequence(steps: unknown[], path: Path, outer: Scope): void {
    const visible = new Set(outer.visible);
    steps.forEach((step, i) => {
      this.checkStep(step, [...path, i], { ...outer, visible });
      if (isRecord(step)) for (const id of collectIds([step])) visible.add(id);
    });
  }

  private checkStep(step: unknown, path: Path, scope: Scope): void {
    if (!isRecord(step)) return;
    const id = typeof step['id'] === 'string' ? step['id'] : undefined;
    if (id !== undefined && isReservedName(id))
      this.report([...path, 'id'], reservedMessage(`step id "${id}"`));
    if (id !== undefined) {
      const first = this.firstIdAt.get(id);
      if (first) {
        this.report(
          [...path, 'id'],
          `duplicate step id "${id}" (first used at line ${this.source.valueAt(first).line})`,
        );
      } else {
        this.firstIdAt.set(id, [...path, 'id']);
      }
    }
    const kinds = STEP_KINDS.filter((k) => k in step);
    const kind = kinds.length === 1 ? kinds[0] : undefined;
    const forEach = 'for-each' in step;

    if (
      forEach &&
      kind !== undefined &&
      kind !== 'agent' &&
      kind !== 'run' &&
      kind !== 'uses' &&
      kind !== 'ask'
    ) {
      this.report(
        [...path, 'for-each'],
        `"for-each" is only allowed on agent, run, ask and uses steps, not on ${kind}`,
        'key',
      );
    }
    const list = step['for-each'];
    if (typeof list === 'string' && !list.includes('${{')) {
      this.report(
        [...path, 'for-each'],
        `"for-each" must be a list or a \${{ }} expression that gives one, got ${JSON.stringify(list)}`,
      );
    }
    for (const key of ['concurrency', 'fail-fast', 'shard']) {
      if (key in step && !forEach)
        this.report([...path, key], `"${key}" only applies with "for-each"`, 'key');
    }
    // `replay: false` runs the step live in every attempt: there is nothing an earlier run could lend it.
    if (step['reuse'] === true && step['replay'] === false) {
      this.report(
        [...path, 'reuse'],
        '"reuse: true" has no effect with "replay: false" (the step always runs live); remove one of them',
      );
    }
    // Only a top-level fan-out can be split: a shard stops at a step boundary of the workflow.
    if (step['shard'] === true && forEach && path.length > 2) {
      this.report(
        [...path, 'shard'],
        '"shard" only applies to top-level steps, not inside parallel or repeat',
        'key',
      );
    }
    for (const [key, owner] of [
      ['shell', 'run'],
      ['working-directory', 'run'],
      ['log', 'run'],
      ['with', 'uses'],
    ] as const) {
      if (key in step && kind !== undefined && kind !== owner) {
        this.report([...path, key], `"${key}" only applies to ${owner} steps`, 'key');
      }
    }
    if (kind === 'ask') {
      for (const key of ['timeout', 'retries', 'concurrency', 'fail-fast']) {
        if (key in step) this.report([...path, key], `"${key}" does not apply to ask steps`, 'key');
      }
      if (isRecord(step['ask'])) this.checkAsk(step['ask'], [...path, 'ask']);
    }
    const phase = step['phase'];
    if (typeof phase === 'string' && !this.phaseNames.includes(phase)) {
      const hint = didYouMean(phase, this.phaseNames) || ' (declare it under "phases")';
      this.report([...path, 'phase'], `unknown phase "${phase}"${hint}`);
    }

    const where: Where = {
      scope,
      stepId: id,
      reader: id === undefined ? 'this step' : `step "${id}"`,
      forEach,
      banned: {},
    };
    const nested = new Set(['id', 'parallel', 'repeat', 'agent', 'run', 'if', 'for-each']);
    for (const [key, value] of Object.entries(step)) {
      if (!nested.has(key)) this.checkStrings(value, [...path, key], where);
    }
    const before: Where = {
      ...where,
      forEach: false,
      banned: forEach ? { item: BEFORE_FAN_OUT, index: BEFORE_FAN_OUT } : {},
    };
    this.checkCondition(step['if'], [...path, 'if'], before);
    this.checkStrings(step['for-each'], [...path, 'for-each'], {
      ...before,
      banned: { item: 'for-each cannot read its own items', index: 'for-each cannot read its own items' },
    });

    const agent = step['agent'];
    if (isRecord(agent)) {
      for (const [key, value] of Object.entries(agent)) {
        if (key !== 'schema') this.checkStrings(value, [...path, 'agent', key], where);
      }
      this.checkProvider(agent['provider'], [...path, 'agent', 'provider']);
      if (isRecord(agent['schema'])) this.checkAgentSchema(agent['schema'], [...path, 'agent', 'schema']);
      this.checkStepTools(agent, [...path, 'agent'], forEach);
      this.checkLoopProvider(agent, step['phase'], [...path, 'agent']);
    }
    const shell = typeof step['shell'] === 'string' ? step['shell'] : undefined;
    if (shell?.includes('${{')) {
      this.report(
        [...path, 'shell'],
        `"shell" is a program the workflow names, not an expression: write it out (bash, sh, pwsh, python, node, or a command with {0})`,
      );
    }
    if (typeof step['run'] === 'string') {
      this.checkStrings(step['run'], [...path, 'run'], where);
      this.checkScript(step['run'], [...path, 'run'], '"run"', shell);
    }
    if (Array.isArray(step['parallel'])) {
      const children = step['parallel'];
      children.forEach((child, i) => {
        const siblings = new Set(children.filter((_, j) => j !== i).flatMap((c) => collectIds([c])));
        this.checkStep(child, [...path, 'parallel', i], { ...scope, parallelSiblings: siblings });
      });
      this.checkParallelThreads(children, [...path, 'parallel']);
    }
    const repeat = step['repeat'];
    if (isRecord(repeat)) {
      const loopSteps = Array.isArray(repeat['steps']) ? repeat['steps'] : [];
      const inLoop: Scope = {
        visible: new Set([...scope.visible, ...collectIds(loopSteps)]),
        parallelSiblings: scope.parallelSiblings,
        inRepeat: true,
      };
      this.checkSequence(loopSteps, [...path, 'repeat', 'steps'], inLoop);
      this.checkCondition(repeat['until'], [...path, 'repeat', 'until'], {
        scope: inLoop,
        reader: `"until" of ${where.reader}`,
        forEach: false,
        banned: {},
      });
    }
  }

  /**
   * `{prompt}` and `{model}` are replaced inside one argv element. Written inside other text
   * (`sh -c "echo {prompt}"`), the program could read the prompt as code, so they must stand alone
   * (`{prompt}`) or be a flag's value (`--prompt={prompt}`).
   */
  private checkCommandArgs(args: unknown[], path: Path): void {
    args.forEach((arg, i) => {
      if (typeof arg !== 'string') return;
      for (const placeholder of ['{prompt}', '{model}']) {
        if (!arg.includes(placeholder) || arg === placeholder) continue;
        if (/^-{1,2}[A-Za-z0-9][\w.-]*=$/.test(arg.replace(placeholder, '')) && arg.endsWith(placeholder))
          continue;
        this.report(
          [...path, i],
          `${placeholder} must be a whole argument (or a flag's value, --flag=${placeholder}), not part of ${JSON.stringify(arg)}: ` +
            `inside other text the program could read it as code; the value is passed as one argument, never through a shell`,
        );
      }
    });
  }

  /** The answer schema and default are fixed at validation: no expressions, and the default must be an answer. */
  private checkAsk(ask: Record<string, unknown>, path: Path): void {
    for (const key of ['answer', 'default']) {
      if (key in ask && JSON.stringify(ask[key] ?? null).includes('${{')) {
        this.report(
          [...path, key],
          `"${key}" of an ask is fixed when the workflow is validated; it cannot use \${{ }}`,
        );
        return;
      }
    }
    const answer = ask['answer'];
    if (typeof answer === 'string' && !ANSWER_SHORTHANDS.includes(answer)) {
      this.report(
        [...path, 'answer'],
        `"answer" must be ${ANSWER_SHORTHANDS.join(', ')}, { options: [...] } or a JSON Schema; got "${answer}"` +
          didYouMean(answer, ANSWER_SHORTHANDS),
      );
      return;
    }
    if (isRecord(answer) && 'options' in answer) {
      const options = answer['options'];
      if (!Array.isArray(options) || options.length === 0 || Object.keys(answer).length > 1) {
        this.report(
          [...path, 'answer'],
          `"answer: { options: [...] }" needs a non-empty list of options and nothing else`,
        );
        return;
      }
    }
    if (isRecord(answer) && !('options' in answer)) {
      const problem = agentSchemaProblem(answer);
      if (problem !== undefined) {
        this.report([...path, 'answer'], `"answer" is not a valid JSON Schema: ${problem}`);
        return;
      }
    }
    if ('default' in ask) {
      const schema = answerSchema(ask['answer']);
      const problem = answerProblem(schema, ask['default']);
      if (problem !== undefined) {
        this.report([...path, 'default'], `"default" is not an answer this ask accepts: ${problem}`);
      }
    }
  }

  private checkAgentSchema(schema: Record<string, unknown>, path: Path): void {
    const message = agentSchemaProblem(schema);
    if (message !== undefined) this.report(path, `"schema" is not a valid JSON Schema: ${message}`);
  }

  private checkCondition(value: unknown, path: Path, where: Where): void {
    if (typeof value !== 'string') return;
    if (value.includes('${{')) {
      this.checkStrings(value, path, where);
      return;
    }
    try {
      this.checkExpression(parseExpression(value), path, where);
    } catch (error) {
      if (error instanceof ExpressionError) this.report(path, error.message);
      else throw error;
    }
  }

  /** Every `${{ }}` in a value (deep). */
  private checkStrings(value: unknown, path: Path, where: Where): void {
    if (typeof value === 'string') {
      if (!value.includes('${{')) return;
      try {
        for (const part of parseTemplate(value).parts) {
          if (typeof part !== 'string') this.checkExpression(part, path, where);
        }
      } catch (error) {
        if (error instanceof ExpressionError) this.report(path, error.message);
        else throw error;
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => this.checkStrings(v, [...path, i], where));
    } else if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) this.checkStrings(v, [...path, k], where);
    }
  }

  private checkExpression(expr: ParsedExpression, path: Path, where: Where): void {
    const shown = `\${{ ${expr.source} }}`;
    const seen = new Set<string>();
    for (const ref of expr.refs) {
      const context = ref.context.toLowerCase();
      const message = this.refProblem(context, ref.path, where, shown);
      if (message !== undefined && !seen.has(message)) {
        seen.add(message);
        this.report(path, message);
      }
    }
  }

  private refProblem(
    context: string,
    refPath: (string | null)[],
    where: Where,
    shown: string,
  ): string | undefined {
    const banned = where.banned[context];
    if (banned !== undefined) return `"${context}" cannot be used here: ${banned} (in ${shown})`;
    const [first, second] = refPath;
    switch (context) {
      case 'item':
      case 'index':
        return where.forEach
          ? undefined
          : `"${context}" is only available in a step with "for-each" (in ${shown})`;
      case 'loop':
        if (!where.scope.inRepeat) return `"loop" is only available inside "repeat" (in ${shown})`;
        if (typeof first === 'string' && first !== 'iteration') {
          return `loop has no "${first}"; use loop.iteration (in ${shown})`;
        }
        return undefined;
      case 'inputs':
        if (typeof first === 'string' && first !== '*' && !this.inputNames.includes(first)) {
          const hint = didYouMean(first, this.inputNames) || ' (declare it under "inputs")';
          return `unknown input "${first}" in ${shown}${hint}`;
        }
        return undefined;
      case 'steps':
        return typeof first === 'string' && first !== '*'
          ? this.stepRefProblem(first, second, where, shown)
          : undefined;
      default:
        return undefined;
    }
  }

  private stepRefProblem(
    target: string,
    member: string | null | undefined,
    where: Where,
    shown: string,
  ): string | undefined {
    const reader = where.reader;
    if (!this.allIds.has(target)) {
      return `unknown step "${target}" in ${shown}${didYouMean(target, this.allIds)}`;
    }
    if (where.scope.parallelSiblings.has(target)) {
      return `${reader} reads steps.${target}, but they are in the same parallel group and run at once (in ${shown})`;
    }
    if (target === where.stepId && !where.scope.visible.has(target)) {
      return `${reader} reads its own outputs (in ${shown})`;
    }
    if (!where.scope.visible.has(target)) {
      return `${reader} reads steps.${target} before "${target}" runs: steps run in order (in ${shown})`;
    }
    if (typeof member === 'string' && member !== '*' && !STEP_MEMBERS.includes(member)) {
      return `steps.${target} has no "${member}"; use steps.${target}.outputs, .outcome or .conclusion (in ${shown})`;
    }
    return undefined;
  }

  /**
   * Script text is source code: every `${{ }}` in it must be a constant the author fixed, or the value
   * would be parsed as code. Each offending expression is reported where it is written, with the fix.
   * (A command tool's `run:` takes no expressions at all: see checkTools.)
   */
  checkScript(script: string, path: Path, what: string, shell: string | undefined): void {
    let parts: ReturnType<typeof parseTemplate>['parts'];
    try {
      parts = parseTemplate(script).parts;
    } catch {
      return; // reported by checkStrings
    }
    let n = 0;
    for (const part of parts) {
      if (typeof part === 'string') continue;
      const message = scriptExpressionProblem(part, this.inputTypes, what, shell);
      if (message !== undefined) this.problems.push({ ...this.source.expressionAt(path, n), message });
      n++;
    }
  }
}

let schemaAjv: Ajv2020 | undefined;
const schemaVerdicts = new Map<string, string | undefined>();

/** Why ajv cannot use an agent's `schema`, or undefined; compiling is slow, so verdicts are kept. */
function agentSchemaProblem(schema: Record<string, unknown>): string | undefined {
  const key = JSON.stringify(schema);
  if (schemaVerdicts.has(key)) return schemaVerdicts.get(key);
  // `$schema` names a draft; the structure is what matters here, and draft-07 and 2020-12 agree on it.
  const { $schema: _draft, ...rest } = schema;
  schemaAjv ??= jsonSchemaSupport().schemaChecker();
  const ajv = schemaAjv;
  let message: string | undefined;
  if (!ajv.validateSchema(rest)) {
    const first = ajv.errors?.[0];
    message = first ? `${first.instancePath || '/'} ${first.message ?? 'is not valid'}` : 'is not valid';
  } else {
    try {
      ajv.compile(rest);
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    } finally {
      ajv.removeSchema(rest);
    }
  }
  if (schemaVerdicts.size >= 1000) schemaVerdicts.clear();
  schemaVerdicts.set(key, message);
  return message;
}

const BEFORE_FAN_OUT = '"if" is checked once, before "for-each" fans out';

/** Where run-wide values (tool env, MCP server env and headers) are read: before any step, like the workflow env. */
function runWideWhere(reader: string): Where {
  return {
    scope: emptyScope(),
    reader,
    forEach: false,
    banned: {
      steps: `${reader} is set up once per run, not per step`,
      item: 'not in a step',
      index: 'not in a step',
      loop: 'not in a step',
    },
  };
}

function emptyScope(): Scope {
  return { visible: new Set(), parallelSiblings: new Set(), inRepeat: false };
}

/** The `thread:` names of a step and the steps nested in it, with where each is written. */
function threadsIn(step: unknown, path: Path): Array<{ thread: string; at: Path }> {
  if (!isRecord(step)) return [];
  const found: Array<{ thread: string; at: Path }> = [];
  const agent = step['agent'];
  if (isRecord(agent) && typeof agent['thread'] === 'string') {
    found.push({ thread: agent['thread'], at: [...path, 'agent', 'thread'] });
  }
  if (Array.isArray(step['parallel'])) {
    step['parallel'].forEach((child, i) => found.push(...threadsIn(child, [...path, 'parallel', i])));
  }
  const repeat = step['repeat'];
  if (isRecord(repeat) && Array.isArray(repeat['steps'])) {
    repeat['steps'].forEach((child, i) => found.push(...threadsIn(child, [...path, 'repeat', 'steps', i])));
  }
  return found;
}

/** Ids of these steps and of all steps nested in them, in file order. */
function collectIds(steps: unknown[]): string[] {
  const ids: string[] = [];
  for (const step of steps) {
    if (!isRecord(step)) continue;
    if (typeof step['id'] === 'string') ids.push(step['id']);
    if (Array.isArray(step['parallel'])) ids.push(...collectIds(step['parallel']));
    const repeat = step['repeat'];
    if (isRecord(repeat) && Array.isArray(repeat['steps'])) ids.push(...collectIds(repeat['steps']));
  }
  return ids;
}

/**
 * Names every JavaScript object already has (`__proto__`, `constructor`, `toString`, ...): as a step id or
 * an input name they would read as the object's own machinery instead of the value (`steps.constructor`).
 */
export function isReservedName(name: string): boolean {
  return name === '__proto__' || name in Object.prototype;
}

function reservedMessage(what: string): string {
  return `${what} is reserved (every JavaScript object has a property of that name); choose another name`;
}

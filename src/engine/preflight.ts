// Before the first call: is every provider the workflow can reach usable here (an API key, a CLI agent on
// PATH)? One message lists everything missing, so a run never fails N times over the same missing key.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, resolve } from 'node:path';
import { commandProgram } from '../agents/command.js';
import { anthropicCredential, openaiCredential } from '../agents/credentials.js';
import { resolveAgentTargets } from '../agents/routing.js';
import type { ProviderDef, StepDef, WorkflowDef } from '../workflow/types.js';

export interface PreflightSettings {
  env: Record<string, string | undefined>;
  workspace: string;
  /** Inside GitHub Actions: say how to pass a secret, not "export it". */
  inActions: boolean;
}

/** A provider that cannot be used here, with the steps that reach it. */
export interface Unready {
  provider: string;
  steps: string[];
  missing: { keyEnv?: string[]; program?: string };
}

/** The providers the workflow's agent steps reach that cannot work in this environment. */
export function unreadyProviders(workflow: WorkflowDef, settings: PreflightSettings): Unready[] {
  // Env names the workflow sets itself (`env:` of the workflow or a step) count as present: their
  // values are known only when the step runs.
  const declared = new Set<string>();
  const reached = new Map<string, { provider: ProviderDef; steps: string[] }>();
  const visit = (workflow: WorkflowDef, steps: StepDef[], phase: string | undefined) => {
    for (const name of Object.keys(workflow.env)) declared.add(name);
    for (const step of steps) {
      for (const name of Object.keys(step.env)) declared.add(name);
      if (step.kind === 'parallel' || step.kind === 'repeat')
        visit(workflow, step.steps, step.phase ?? phase);
      if (step.kind === 'uses' && step.callee) visit(step.callee, step.callee.steps, undefined);
      if (step.kind !== 'agent') continue;
      const model = step.agent.model;
      const phaseName = step.phase ?? phase;
      let targets: { provider: ProviderDef }[];
      const constant = (value: unknown) => typeof value === 'string' && !value.includes('${{');
      try {
        targets = resolveAgentTargets({
          stepProvider: step.agent.provider,
          // A fallback list reaches each of its providers.
          stepModel:
            constant(model) || (Array.isArray(model) && model.every(constant))
              ? (model as string | string[])
              : undefined,
          phase: phaseName ? workflow.phases[phaseName] : undefined,
          defaults: workflow.defaults,
          providers: workflow.providers,
        });
      } catch {
        continue; // an expression decides, or a routing mistake the step itself reports when it runs
      }
      for (const { provider } of targets) {
        const entry = reached.get(provider.name) ?? { provider, steps: [] };
        if (!entry.steps.includes(step.id)) entry.steps.push(step.id);
        reached.set(provider.name, entry);
      }
    }
  };
  visit(workflow, workflow.steps, undefined);

  const present = (name: string) => declared.has(name) || (settings.env[name] ?? '') !== '';
  const unready: Unready[] = [];
  for (const { provider, steps } of reached.values()) {
    if (provider.type === 'command') {
      const program = commandProgram(provider);
      if (program === undefined) continue; // no command at all: the call says so
      const env = { ...settings.env, ...provider.env };
      const cwd = resolve(settings.workspace, provider.workingDirectory ?? '.');
      if (!findProgram(program, env['PATH'] ?? '', cwd)) {
        unready.push({ provider: provider.name, steps, missing: { program } });
      }
      continue;
    }
    const credential =
      provider.type === 'anthropic'
        ? anthropicCredential(provider, settings.env)
        : openaiCredential(provider, settings.env);
    const envOfProvider = (name: string) => present(name) || (provider.env?.[name] ?? '') !== '';
    if (credential.required && !credential.names.some(envOfProvider)) {
      unready.push({ provider: provider.name, steps, missing: { keyEnv: credential.names } });
    }
  }
  return unready;
}

/** The message for unready providers: what is missing, for which steps, and how to fix it here. */
export function describeUnready(unready: Unready[], settings: Pick<PreflightSettings, 'inActions'>): string {
  const lines = unready.map((entry) => {
    const steps = `step${entry.steps.length === 1 ? '' : 's'} ${entry.steps.join(', ')}`;
    const what = entry.missing.program
      ? `the program "${entry.missing.program}" is not installed (not found on PATH)`
      : `${(entry.missing.keyEnv ?? []).join(' or ')} is not set`;
    return `  - provider "${entry.provider}" (${steps}): ${what}`;
  });
  const keys = unready.flatMap((entry) => entry.missing.keyEnv?.slice(0, 1) ?? []);
  const hints: string[] = [];
  if (keys.length > 0) {
    hints.push(
      settings.inActions
        ? `pass ${keys.length === 1 ? 'the key' : 'the keys'} from repository secrets in the reprise step:\n` +
            `    env:\n${keys.map((key) => `      ${key}: \${{ secrets.${key} }}`).join('\n')}`
        : `export ${keys.map((key) => `${key}=...`).join(' ')} (or point the provider at another ` +
            'environment variable with api-key-env)',
    );
  }
  if (unready.some((entry) => entry.missing.program)) {
    hints.push(
      settings.inActions
        ? 'install the agent CLI in an earlier step of the job (or set command: to its path)'
        : 'install the agent CLI, or set command: on the provider to its path',
    );
  }
  const count = unready.length === 1 ? 'a provider is' : `${unready.length} providers are`;
  return [`${count} not ready (nothing was run):`, ...lines, ...hints].join('\n');
}

function findProgram(program: string, path: string, cwd: string): boolean {
  if (program.includes('/') || isAbsolute(program)) return isExecutable(resolve(cwd, program));
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => isExecutable(resolve(cwd, dir, program)));
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

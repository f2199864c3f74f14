// A Mermaid flowchart of a workflow, for `reprise graph` and the job summary.
import type { StepDef, WorkflowDef } from './types.js';

export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'waiting' | 'running' | 'pending';

const STATUS_STYLES: Record<StepStatus, string> = {
  succeeded: 'fill:#dafbe1,stroke:#1a7f37,color:#0d3b1a',
  failed: 'fill:#ffebe9,stroke:#cf222e,color:#5c0a0f',
  skipped: 'fill:#f6f8fa,stroke:#8c959f,color:#57606a,stroke-dasharray:4 3',
  cancelled: 'fill:#fff8c5,stroke:#9a6700,color:#4d2d00',
  waiting: 'fill:#fbefff,stroke:#8250df,color:#3e1f79',
  running: 'fill:#ddf4ff,stroke:#0969da,color:#0a3069',
  pending: 'fill:#ffffff,stroke:#d0d7de,color:#57606a',
};

interface Ends {
  entries: string[];
  exits: string[];
}

/**
 * `flowchart TD` of the steps: sequential edges, parallel fan-out and fan-in, `for-each` nodes
 * (`id ×N`), repeat loops with a dotted back edge labelled with `until` and `max`, phases as subgraphs,
 * and a called workflow's steps inside a subgraph of its `uses:` step (their paths are `caller/inner`).
 * With `status` (by step path), each step's node is colored by its status.
 */
export function renderMermaid(workflow: WorkflowDef, status?: Record<string, StepStatus>): string {
  // A node's group: a phase of the top-level workflow, or `uses:<path>` for a called workflow's steps.
  const nodes: { phase: string | undefined; line: string }[] = [];
  const groupLabels = new Map<string, string>();
  let prefix = '';
  const edges: string[] = [];
  const nodeOfStep = new Map<string, string>();
  let counter = 0;

  // Sub-steps of a parallel group or a loop belong to their parent's phase unless they name their own.
  const phaseOf = new Map<string, string | undefined>();
  const node = (step: StepDef, label: string, shape: [string, string]): string => {
    const name = `n${counter++}`;
    nodeOfStep.set(prefix + step.id, name);
    const group = prefix === '' ? phaseOf.get(step.id) : `uses:${prefix}`;
    nodes.push({ phase: group, line: `${name}${shape[0]}"${escapeLabel(label)}"${shape[1]}` });
    return name;
  };
  const assignPhases = (steps: StepDef[], inherited: string | undefined): void => {
    for (const step of steps) {
      const phase = step.phase ?? inherited;
      phaseOf.set(step.id, phase);
      if (step.kind === 'parallel' || step.kind === 'repeat') assignPhases(step.steps, phase);
    }
  };
  assignPhases(workflow.steps, undefined);
  const connect = (from: string[], to: string[]): void => {
    for (const a of from) for (const b of to) edges.push(`${a} --> ${b}`);
  };

  const renderStep = (step: StepDef): Ends => {
    const title = step.name && step.name !== step.id ? `${step.id}: ${step.name}` : step.id;
    const guarded = step.if !== undefined ? `${title}\nif ${step.if}` : title;
    switch (step.kind) {
      case 'agent':
      case 'run': {
        const counted =
          step.forEach === undefined
            ? guarded
            : step.shard
              ? `${guarded} ×N\nsharded across jobs`
              : `${guarded} ×N`;
        // A tool-using or threaded agent shows what it may call and which conversation it continues.
        const extras =
          step.kind === 'agent'
            ? [
                step.agent.tools?.length ? `tools: ${step.agent.tools.join(', ')}` : undefined,
                step.agent.thread !== undefined ? `thread: ${step.agent.thread}` : undefined,
              ].filter((line): line is string => line !== undefined)
            : [];
        const label = [counted, ...extras].join('\n');
        const shape: [string, string] =
          step.forEach !== undefined ? ['[[', ']]'] : step.kind === 'agent' ? ['(', ')'] : ['[', ']'];
        const name = node(step, `${step.kind} · ${label}`, shape);
        return { entries: [name], exits: [name] };
      }
      case 'ask': {
        const name = node(step, `ask · ${guarded}`, ['{{', '}}']);
        return { entries: [name], exits: [name] };
      }
      case 'uses': {
        const label = step.forEach !== undefined ? `${guarded} ×N` : guarded;
        const name = node(step, `uses · ${label}\n${step.uses}`, ['[/', '/]']);
        if (!step.callee || step.callee.steps.length === 0) return { entries: [name], exits: [name] };
        const outer = prefix;
        prefix = `${outer}${step.id}/`;
        groupLabels.set(`uses:${prefix}`, `${outer}${step.id}: ${step.uses}`);
        const body = renderSequence(step.callee.steps);
        prefix = outer;
        connect([name], body.entries);
        return { entries: [name], exits: body.exits };
      }
      case 'parallel': {
        const fork = node(step, `parallel · ${guarded}`, ['{{', '}}']);
        const children = step.steps.map(renderStep);
        connect(
          [fork],
          children.flatMap((c) => c.entries),
        );
        return { entries: [fork], exits: children.flatMap((c) => c.exits) };
      }
      case 'repeat': {
        const head = node(step, `repeat · ${guarded}`, ['{{', '}}']);
        const body = renderSequence(step.steps);
        connect([head], body.entries);
        const label = escapeLabel(`until ${step.until} · max ${step.max}`);
        for (const exit of body.exits)
          for (const entry of body.entries) edges.push(`${exit} -.->|"${label}"| ${entry}`);
        return { entries: [head], exits: body.exits };
      }
    }
  };

  const renderSequence = (steps: StepDef[]): Ends => {
    let entries: string[] = [];
    let exits: string[] = [];
    for (const step of steps) {
      const ends = renderStep(step);
      if (entries.length === 0) entries = ends.entries;
      connect(exits, ends.entries);
      exits = ends.exits;
    }
    return { entries, exits };
  };

  renderSequence(workflow.steps);

  const lines = ['flowchart TD'];
  for (const n of nodes) if (n.phase === undefined) lines.push(`  ${n.line}`);
  const phases = [...new Set(nodes.flatMap((n) => (n.phase === undefined ? [] : [n.phase])))];
  phases.forEach((phase, i) => {
    const title = groupLabels.get(phase) ?? `phase: ${phase}`;
    lines.push(`  subgraph ${groupLabels.has(phase) ? 'uses' : 'phase'}${i}["${escapeLabel(title)}"]`);
    for (const n of nodes) if (n.phase === phase) lines.push(`    ${n.line}`);
    lines.push('  end');
  });
  for (const edge of edges) lines.push(`  ${edge}`);

  if (status) {
    const byStatus = new Map<StepStatus, string[]>();
    for (const [id, s] of Object.entries(status)) {
      const name = nodeOfStep.get(id);
      if (name === undefined || !(s in STATUS_STYLES)) continue;
      byStatus.set(s, [...(byStatus.get(s) ?? []), name]);
    }
    for (const [s, names] of byStatus) {
      lines.push(`  classDef ${s} ${STATUS_STYLES[s]}`);
      lines.push(`  class ${names.join(',')} ${s}`);
    }
  }
  return lines.join('\n');
}

/** Text safe inside a quoted Mermaid label: quotes and markup characters become entity codes. */
export function escapeLabel(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/\r?\n/g, '<br/>');
}

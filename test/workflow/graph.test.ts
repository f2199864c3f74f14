import { describe, expect, it } from 'vitest';
import { escapeLabel, renderMermaid } from '../../src/workflow/graph.js';
import { loadWorkflowText } from '../../src/workflow/loader.js';
import type { WorkflowDef } from '../../src/workflow/types.js';

function load(text: string): WorkflowDef {
  const result = loadWorkflowText(text, 'graph.yml');
  if (!result.workflow) throw new Error(JSON.stringify(result.problems));
  return result.workflow;
}

const workflow = load(`name: graph
phases: { review: {} }
steps:
  - id: files
    run: ls
  - id: review
    phase: review
    for-each: \${{ steps.files.outputs.lines }}
    agent: { prompt: "Review \${{ item }}" }
  - id: checks
    parallel:
      - id: lint
        run: echo
      - id: test
        name: Unit "tests" [fast]
        run: echo
  - id: refine
    repeat:
      steps:
        - id: draft
          run: echo
        - id: critique
          run: echo
      until: steps.critique.outputs.text == 'ok'
      max: 3
  - id: done
    if: \${{ always() }}
    run: echo done
`);

describe('renderMermaid', () => {
  it('draws the steps in order, with fan-out, fan-in, loops and phases', () => {
    expect(renderMermaid(workflow)).toBe(
      [
        'flowchart TD',
        '  n0["run · files"]',
        '  n2{{"parallel · checks"}}',
        '  n3["run · lint"]',
        '  n4["run · test: Unit #quot;tests#quot; [fast]"]',
        '  n5{{"repeat · refine"}}',
        '  n6["run · draft"]',
        '  n7["run · critique"]',
        '  n8["run · done<br/>if ${{ always() }}"]',
        '  subgraph phase0["phase: review"]',
        '    n1[["agent · review ×N"]]',
        '  end',
        '  n0 --> n1',
        '  n2 --> n3',
        '  n2 --> n4',
        '  n1 --> n2',
        '  n6 --> n7',
        '  n5 --> n6',
        '  n7 -.->|"until steps.critique.outputs.text == \'ok\' · max 3"| n6',
        '  n3 --> n5',
        '  n4 --> n5',
        '  n7 --> n8',
      ].join('\n'),
    );
  });

  it('colors nodes by status', () => {
    const chart = renderMermaid(workflow, {
      files: 'succeeded',
      review: 'failed',
      lint: 'succeeded',
      done: 'skipped',
    });
    expect(chart).toContain(
      '  classDef succeeded fill:#dafbe1,stroke:#1a7f37,color:#0d3b1a\n  class n0,n3 succeeded',
    );
    expect(chart).toContain('  class n1 failed');
    expect(chart).toContain('  class n8 skipped');
    expect(chart).not.toContain('classDef running');
  });

  it('escapes labels so no text can break out of its node', () => {
    expect(escapeLabel('a "b" <c> #d | e\nf')).toBe('a #quot;b#quot; #lt;c#gt; #35;d #124; e<br/>f');
  });
});

describe('tool-using and threaded agent steps', () => {
  it('show the tools they may call and the thread they continue', () => {
    const graph = renderMermaid(
      load(`name: tools-graph
mcp-servers:
  fs: { command: npx, args: [server] }
steps:
  - id: explore
    agent: { prompt: look, tools: [read_file, fs/*], thread: work }
  - id: plain
    agent: { prompt: answer }
`),
    );
    expect(graph).toContain('n0("agent · explore<br/>tools: read_file, fs/*<br/>thread: work")');
    expect(graph).toContain('n1("agent · plain")');
  });
});

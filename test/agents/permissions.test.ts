// allow-tools: one setting, mapped onto each coding-agent CLI's own permission flags, read-only by default.
import { describe, expect, it } from 'vitest';
import { permissionArgs, toolGrant } from '../../src/agents/permissions.js';
import type { AllowTools, CommandPreset } from '../../src/workflow/types.js';

const args = (preset: CommandPreset, allow?: AllowTools) => permissionArgs(preset, toolGrant(allow));

describe('allow-tools', () => {
  it('read-only by default for every preset: nothing that writes, runs or fetches is granted', () => {
    expect(args('claude')).toEqual([
      '--disallowedTools',
      'Edit,MultiEdit,Write,NotebookEdit,WebFetch,WebSearch,Bash',
    ]);
    expect(args('codex')).toEqual(['--sandbox', 'read-only']);
    expect(args('gemini')).toEqual(['--approval-mode', 'default']);
    expect(args('copilot')).toEqual(['--deny-tool', 'write']);
    for (const preset of ['claude', 'codex', 'gemini', 'copilot'] as const) {
      expect(args(preset, 'read-only')).toEqual(args(preset));
      expect(args(preset, ['read'])).toEqual(args(preset));
    }
  });

  it('single commands: claude, gemini and copilot allow just them; codex can only sandbox', () => {
    const allow = ['read', 'shell(git diff)', 'shell(gh pr view)'];
    expect(args('claude', allow)).toEqual([
      '--allowedTools',
      'Bash(git diff:*),Bash(gh pr view:*)',
      '--disallowedTools',
      'Edit,MultiEdit,Write,NotebookEdit,WebFetch,WebSearch',
    ]);
    expect(args('gemini', allow)).toEqual([
      '--approval-mode',
      'default',
      '--allowed-tools',
      'run_shell_command(git diff)',
      '--allowed-tools',
      'run_shell_command(gh pr view)',
    ]);
    expect(args('copilot', allow)).toEqual([
      '--deny-tool',
      'write',
      '--allow-tool',
      'shell(git diff)',
      '--allow-tool',
      'shell(gh pr view)',
    ]);
    // A read-only sandbox still runs commands; they cannot write.
    expect(args('codex', allow)).toEqual(['--sandbox', 'read-only']);
  });

  it('edit, shell, web and all', () => {
    expect(args('claude', 'edit')).toEqual([
      '--allowedTools',
      'Edit,MultiEdit,Write,NotebookEdit',
      '--disallowedTools',
      'WebFetch,WebSearch,Bash',
    ]);
    expect(args('codex', ['edit', 'web'])).toEqual([
      '--sandbox',
      'workspace-write',
      '--config',
      'sandbox_workspace_write.network_access=true',
    ]);
    expect(args('gemini', ['edit', 'shell', 'web'])).toEqual([
      '--approval-mode',
      'auto_edit',
      '--allowed-tools',
      'run_shell_command',
      '--allowed-tools',
      'web_fetch',
    ]);
    expect(args('copilot', ['shell', 'web'])).toEqual([
      '--deny-tool',
      'write',
      '--allow-tool',
      'shell',
      '--allow-all-urls',
    ]);
    expect(args('claude', 'all')).toEqual(['--permission-mode', 'bypassPermissions']);
    expect(args('codex', 'all')).toEqual(['--sandbox', 'danger-full-access']);
    expect(args('gemini', 'all')).toEqual(['--approval-mode', 'yolo']);
    expect(args('copilot', 'all')).toEqual(['--allow-all-tools']);
  });
});

// `allow-tools:` of a command provider, mapped onto each coding-agent CLI's own permission flags. One vocabulary,
// the same read-only default for every preset; README.md ("Command agents: allow-tools") documents each mapping.
import type { AllowTools, CommandPreset } from '../workflow/types.js';

/** What a coding agent may do beyond reading and searching the workspace (always allowed). */
export interface ToolGrant {
  edit: boolean;
  web: boolean;
  /** true: any command; a list: commands starting with these words; false: none. */
  shell: boolean | string[];
  /** Everything, without any approval: for sandboxed runners only. */
  all: boolean;
}

export const READ_ONLY: ToolGrant = { edit: false, web: false, shell: false, all: false };

export function toolGrant(allow: AllowTools | undefined): ToolGrant {
  if (allow === undefined || allow === 'read-only') return READ_ONLY;
  if (allow === 'all') return { ...READ_ONLY, all: true };
  if (allow === 'edit') return { ...READ_ONLY, edit: true };
  const grant: ToolGrant = { ...READ_ONLY };
  const commands: string[] = [];
  for (const item of allow) {
    if (item === 'read') continue;
    if (item === 'edit') grant.edit = true;
    else if (item === 'web') grant.web = true;
    else if (item === 'shell') grant.shell = true;
    else {
      const command = /^shell\((.+)\)$/.exec(item)?.[1];
      if (command) commands.push(command.trim());
    }
  }
  if (grant.shell !== true && commands.length > 0) grant.shell = commands;
  return grant;
}

const CLAUDE_EDIT = ['Edit', 'MultiEdit', 'Write', 'NotebookEdit'];
const CLAUDE_WEB = ['WebFetch', 'WebSearch'];

/** The permission flags a preset gets for a grant; they come before the provider's own `args`. */
export function permissionArgs(preset: CommandPreset, grant: ToolGrant): string[] {
  switch (preset) {
    case 'claude': {
      // `--allowedTools` only pre-approves; `--disallowedTools` removes a tool, so what is not granted is removed.
      if (grant.all) return ['--permission-mode', 'bypassPermissions'];
      const allowed: string[] = [];
      const denied: string[] = [];
      (grant.edit ? allowed : denied).push(...CLAUDE_EDIT);
      (grant.web ? allowed : denied).push(...CLAUDE_WEB);
      if (grant.shell === true) allowed.push('Bash');
      else if (grant.shell === false) denied.push('Bash');
      else allowed.push(...grant.shell.map((command) => `Bash(${command}:*)`));
      return [
        ...(allowed.length > 0 ? ['--allowedTools', allowed.join(',')] : []),
        ...(denied.length > 0 ? ['--disallowedTools', denied.join(',')] : []),
      ];
    }
    case 'codex': {
      // Codex runs every command in its sandbox and cannot allow single commands: the sandbox mode decides.
      if (grant.all) return ['--sandbox', 'danger-full-access'];
      const writes = grant.edit || grant.shell === true;
      return [
        '--sandbox',
        writes ? 'workspace-write' : 'read-only',
        ...(grant.web && writes ? ['--config', 'sandbox_workspace_write.network_access=true'] : []),
      ];
    }
    case 'gemini': {
      // Headless, a tool that would need approval is refused; `--allowed-tools` approves the ones granted.
      if (grant.all) return ['--approval-mode', 'yolo'];
      const allowed: string[] = [];
      if (grant.shell === true) allowed.push('run_shell_command');
      else if (grant.shell !== false)
        allowed.push(...grant.shell.map((command) => `run_shell_command(${command})`));
      if (grant.web) allowed.push('web_fetch');
      return [
        '--approval-mode',
        grant.edit ? 'auto_edit' : 'default',
        ...allowed.flatMap((tool) => ['--allowed-tools', tool]),
      ];
    }
    case 'copilot': {
      // Reading and read-only commands need no approval; the rest is granted with --allow-tool, or denied.
      if (grant.all) return ['--allow-all-tools'];
      const args: string[] = [];
      if (grant.edit) args.push('--allow-tool', 'write');
      else args.push('--deny-tool', 'write');
      if (grant.shell === true) args.push('--allow-tool', 'shell');
      else if (grant.shell !== false) {
        for (const command of grant.shell) args.push('--allow-tool', `shell(${command})`);
      }
      if (grant.web) args.push('--allow-all-urls');
      return args;
    }
  }
}

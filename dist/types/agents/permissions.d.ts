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
export declare const READ_ONLY: ToolGrant;
export declare function toolGrant(allow: AllowTools | undefined): ToolGrant;
/** The permission flags a preset gets for a grant; they come before the provider's own `args`. */
export declare function permissionArgs(preset: CommandPreset, grant: ToolGrant): string[];

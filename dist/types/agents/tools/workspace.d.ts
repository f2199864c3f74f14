import { WORKSPACE_TOOLS } from '../../workflow/types.js';
import { type Tool } from './types.js';
export declare const WORKSPACE_TOOL_NAMES: readonly ["read_file", "list_files", "search_text"];
export type WorkspaceToolName = (typeof WORKSPACE_TOOLS)[number];
export declare function isWorkspaceTool(name: string): name is WorkspaceToolName;
export declare function workspaceTool(name: WorkspaceToolName): Tool;

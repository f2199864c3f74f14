import { type AgentProvider } from './types.js';
export declare const openaiProvider: AgentProvider;

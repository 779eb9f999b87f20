import { createServiceRef, type ServiceRef } from "./service-ref.js";

// The `workspace` service: the agents declared in config.toml ([[agents]]), their Markdown
// workspaces under <root>/agents/<id>/, and the bootstrap context that goes into the system prompt.

/** An agent as declared in config.toml, with defaults applied. */
export interface AgentDeclaration {
  id: string;
  /** The agent's Markdown workspace (absolute). */
  workspaceDir: string;
  preset: string;
  /** Replaces the preset's required files. */
  required?: string[];
  bootstrap: { perFileChars: number; totalChars: number };
}

/** One file of the bootstrap context, in prompt order. */
export interface BootstrapFileInfo {
  name: string;
  path: string;
  status: "loaded" | "missing" | "empty" | "truncated";
  required: boolean;
  chars: number;
  originalChars: number;
  content: string;
}

/** What would be injected into an agent's system prompt, with provenance and sizes. */
export interface BootstrapContextInfo {
  workspaceDir: string;
  preset: string;
  limits: { perFileChars: number; totalChars: number };
  files: BootstrapFileInfo[];
  totals: { files: number; loaded: number; truncated: number; empty: number; missing: number; chars: number; originalChars: number };
  missingRequired: string[];
}

/** The `workspace` service. Every call is scoped to one agent: it cannot reach another's files. */
export interface WorkspaceService {
  /** Creates what is missing of the global soul.md and every declared agent's tree (`aleph init`). */
  init(): Promise<{ created: string[] }>;
  /** The declared agents. */
  agents(): AgentDeclaration[];
  /** Creates what is missing of a declared agent's tree (never overwrites); returns the paths created. */
  seed(agentId: string): Promise<{ workspaceDir: string; created: string[] }>;
  bootstrap(agentId: string): Promise<BootstrapContextInfo>;
  /** Problems with the agent's workspace (missing required files…), each with a fix. */
  check(agentId: string): Promise<{ path: string; code: string; message: string; fix?: string }[]>;
  /** Reads a file of the agent's tree (a path relative to agents/<id>/). */
  readFile(agentId: string, path: string): Promise<string>;
  /** Writes a file of the agent's tree atomically, and audits it. */
  writeFile(agentId: string, path: string, content: string): Promise<void>;
  /** Moves the agent's tree to the archive, or (purge) deletes it. */
  remove(agentId: string, options?: { purge?: boolean }): Promise<{ archivedTo?: string; removed?: string }>;
}

export const workspaceRef = createServiceRef<WorkspaceService>("workspace");

/**
 * The workspace folder of `agentId` for a tool acting on its behalf: as the `workspace` service
 * declares it (manifest `optional = ["workspace"]`), or — without that service — the state root's
 * workspace for `main` and none for any other agent. Undefined: the agent is not declared. Call it
 * per use: agents are declared and removed, and services come and go, while the kernel runs.
 */
export function agentWorkspaceDir(ctx: { services: { getOptional<T>(ref: ServiceRef<T>): T | undefined }; paths: { workspace: string } }, agentId: string): string | undefined {
  const workspace = ctx.services.getOptional(workspaceRef);
  if (!workspace) return agentId === "main" ? ctx.paths.workspace : undefined;
  return workspace.agents().find((a) => a.id === agentId)?.workspaceDir;
}

import { join } from "node:path";
import { AlephError } from "@aleph/plugin-sdk";
import * as defaults from "./templates-default.js";
import * as openboa from "./templates-openboa.js";

export type PresetName = "default" | "openboa";

export const PRESET_NAMES: readonly PresetName[] = ["default", "openboa"];

/** One file or directory a preset knows about. */
export interface PresetEntry {
  /** Path relative to the workspace; a directory's name ends with "/". */
  name: string;
  /** What it is for, in one line (for listings and `aleph doctor`). */
  role: string;
  /** Validation reports it when missing. Callers may override the whole required set. */
  required: boolean;
  /** seedAgent creates it; entries with `seed: false` only with `withOptional` or when required. */
  seed: boolean;
  /** Initial content of a file; `{{agentId}}` is replaced. Directories have none. */
  template?: string;
}

export interface WorkspacePreset {
  name: PresetName;
  description: string;
  /** Files first, in the order they enter the system prompt; then directories. */
  entries: readonly PresetEntry[];
}

/**
 * The xopc-style workspace. Prompt order: who the agent is (SOUL, IDENTITY), who it serves
 * (USER), its environment and rules (TOOLS, AGENTS), then the state that changes (HEARTBEAT,
 * MEMORY, CONTEXT, SKILLS), and the one-time BOOTSTRAP last. The total-size limit trims in this
 * order, so what is cut first is what matters least and grows most.
 *
 * Required: SOUL, IDENTITY and AGENTS — without them the prompt describes a different agent, or one
 * without its safety rules. Every other file has a natural fallback when missing (no notes about
 * the user, no tool hints, no memory, no heartbeat, onboarding done).
 */
const DEFAULT_PRESET: WorkspacePreset = {
  name: "default",
  description: "Persona and memory files in the xopc layout (SOUL, IDENTITY, USER, TOOLS, AGENTS, HEARTBEAT, MEMORY, BOOTSTRAP)",
  entries: [
    { name: "SOUL.md", role: "principles: who the agent is", required: true, seed: true, template: defaults.SOUL },
    { name: "IDENTITY.md", role: "name, voice, boundaries", required: true, seed: true, template: defaults.IDENTITY },
    { name: "USER.md", role: "notes about the user", required: false, seed: true, template: defaults.USER },
    { name: "TOOLS.md", role: "environment-specific tool hints", required: false, seed: true, template: defaults.TOOLS },
    { name: "AGENTS.md", role: "working and safety guidelines", required: true, seed: true, template: defaults.AGENTS },
    { name: "HEARTBEAT.md", role: "periodic checks (empty or comment-only: no heartbeat)", required: false, seed: true, template: defaults.HEARTBEAT },
    { name: "MEMORY.md", role: "curated long-term memory", required: false, seed: true, template: defaults.MEMORY },
    { name: "CONTEXT.md", role: "current focus", required: false, seed: false, template: defaults.CONTEXT },
    { name: "SKILLS.md", role: "skills index", required: false, seed: false, template: defaults.SKILLS },
    { name: "BOOTSTRAP.md", role: "first-run onboarding (empty it when done)", required: false, seed: true, template: defaults.BOOTSTRAP },
    { name: "memory/", role: "dated and topical notes", required: false, seed: true },
  ],
};

/**
 * The openboa workspace: the required set is openboa's. Prompt order follows the same idea as the
 * default preset: identity and role (AGENT, IDENTITY, PROFILE), authority (MANDATE), the user and
 * the environment (USER, TOOLS), memory, and the one-time BOOTSTRAP last. The optional-but-
 * recommended files and directories are seeded too: recommending them and then not creating them
 * would leave every new agent without them.
 */
const OPENBOA_PRESET: WorkspacePreset = {
  name: "openboa",
  description: "Role-based agent workspace in the openboa layout (AGENT, PROFILE, MANDATE, TOOLS, IDENTITY, BOOTSTRAP required)",
  entries: [
    { name: "AGENT.md", role: "operating manual", required: true, seed: true, template: openboa.AGENT },
    { name: "IDENTITY.md", role: "name, voice, boundaries", required: true, seed: true, template: openboa.IDENTITY },
    { name: "PROFILE.md", role: "role and responsibilities", required: true, seed: true, template: openboa.PROFILE },
    { name: "MANDATE.md", role: "goals and limits of authority", required: true, seed: true, template: openboa.MANDATE },
    { name: "USER.md", role: "notes about the user", required: false, seed: true, template: openboa.USER },
    { name: "TOOLS.md", role: "environment-specific tool hints", required: true, seed: true, template: openboa.TOOLS },
    { name: "MEMORY.md", role: "curated long-term memory", required: false, seed: true, template: openboa.MEMORY },
    { name: "BOOTSTRAP.md", role: "one-time bootstrap flow (empty it when done)", required: true, seed: true, template: openboa.BOOTSTRAP },
    { name: "memory/", role: "dated and topical notes", required: false, seed: true },
    { name: ".learnings/", role: "lessons from mistakes", required: false, seed: true },
  ],
};

export const PRESETS: Readonly<Record<PresetName, WorkspacePreset>> = { default: DEFAULT_PRESET, openboa: OPENBOA_PRESET };

/** The preset of that name, or ALEPH_E_CONFIG naming the ones that exist. */
export function getPreset(name: string): WorkspacePreset {
  if (Object.hasOwn(PRESETS, name)) return PRESETS[name as PresetName];
  throw new AlephError("ALEPH_E_CONFIG", `unknown workspace preset ${JSON.stringify(name)}`, {
    fix: `use one of: ${PRESET_NAMES.join(", ")}`,
  });
}

/** True for entry names that denote a directory ("memory/"). */
export function isDirName(name: string): boolean {
  return name.endsWith("/");
}

/** The absolute path of an entry in `dir`, without a directory's trailing "/". */
export function entryPath(dir: string, name: string): string {
  return join(dir, isDirName(name) ? name.slice(0, -1) : name);
}

/** A template with the agent's id filled in. */
export function renderTemplate(template: string, agentId: string): string {
  return template.replaceAll("{{agentId}}", agentId);
}

import { createServiceRef } from "./service-ref.js";

/*
 * The `skills` service (the bundled skills plugin): SKILL.md folders in the Agent Skills format,
 * found in four roots, gated on their requirements, offered to agents (an index in the system
 * prompt, `skill_read`, auto-match, `/<name>`), and how each one fares (evolution.db).
 */

/** Where a skill copy was found, strongest first: the agent's workspace, `[skills] skills_dir`, a plugin, the skills plugin itself. */
export type SkillSource = "agent" | "root" | "plugin" | "bundled";

/** `available`: offered to agents. `unavailable`: a requirement is unmet. `invalid`: cannot be used. `shadowed`: a stronger copy of the name wins. */
export type SkillStatus = "available" | "unavailable" | "invalid" | "shadowed";

/** A problem in a SKILL.md: where, and what. */
export interface SkillIssue {
  file: string;
  /** 1-based, when the problem has a place. */
  line?: number;
  /** The front-matter field, when it is about one. */
  field?: string;
  message: string;
}

/** `requires:` (an Aleph extension): what a skill needs to be usable. */
export interface SkillRequirements {
  /** Every one of these programs on the kernel's PATH. */
  bins: string[];
  /** At least one of these programs on the PATH. */
  anyBins: string[];
  /** Every one of these environment variables set (non-empty). */
  env: string[];
  /** Every one of these dotted config.toml keys set and not false. */
  config: string[];
  /** One of these platforms (`process.platform`: linux, darwin, win32…); empty: any. */
  os: string[];
}

/** A skill copy as listed: its front-matter and what was decided about it. Never its body. */
export interface SkillInfo {
  /** The front-matter name (the folder's name when it could not be read). */
  name: string;
  /** Empty when invalid. */
  description: string;
  source: SkillSource;
  /** The plugin that ships it (source `plugin` and `bundled`). */
  plugin?: string;
  /** The agent whose workspace holds it (source `agent`). */
  agentId?: string;
  /** The skill's folder. */
  dir: string;
  /** Its SKILL.md. */
  file: string;
  status: SkillStatus;
  /** Why it is unavailable, invalid or shadowed, one sentence each. */
  reasons: string[];
  /** What makes it invalid (status `invalid`). */
  errors: SkillIssue[];
  /** Departures from the specification that do not stop its use. */
  warnings: SkillIssue[];
  /** The copy that wins over this one (status `shadowed`). */
  shadowedBy?: { source: SkillSource; file: string };
  /** `user-invocable: true`: a user can run it as `/<name>`. */
  userInvocable: boolean;
  license?: string;
  compatibility?: string;
  metadata: Record<string, string>;
  /** Recorded and shown, not enforced. */
  allowedTools: string[];
  requires?: SkillRequirements;
}

/** The winning copy of a skill for an agent, with its instructions. */
export interface SkillDetail extends SkillInfo {
  /** The Markdown after the front-matter. */
  body: string;
  /** Its supporting files (scripts/, references/, assets/), relative to `dir`: read with `readFile`. */
  files: string[];
}

/** A skill ranked for a message. */
export interface SkillMatch {
  name: string;
  description: string;
  file: string;
  /** Higher is better; comparable within one call only. */
  score: number;
}

/** How one skill has fared (evolution.db). Times in milliseconds. */
export interface SkillMetrics {
  name: string;
  uses: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** completed ÷ (completed + failed): a cancelled turn is the user's choice, not the skill's failure (null before any). */
  successRate: number | null;
  /** Median time from loading the skill to the end of its turn, over finished uses (null before any). */
  p50Ms: number | null;
  lastUsedAt: number | null;
}

export interface SkillsStats {
  /** SKILL.md files read (parsed) by this kernel's index since it started: unchanged files come from the cache. */
  filesRead: number;
  /** Skill copies in the index. */
  indexed: number;
  /** When the index was last built or updated, and how long its first build took. */
  updatedAt: number;
  buildMs: number;
  /** The PATH binaries are looked up on. */
  path: string;
  metrics: SkillMetrics[];
}

export type SuggestionStatus = "pending" | "applied" | "rejected";

/** An improved SKILL.md proposed by `aleph skills evolve`. */
export interface SkillSuggestion {
  id: string;
  skill: string;
  agentId: string;
  status: SuggestionStatus;
  createdAt: number;
  decidedAt: number | null;
  /** Why it was asked for: the failure rate and uses it was judged on. */
  reason: string;
  /** The SKILL.md the suggestion replaces (when it was made). */
  file: string;
  /** The proposed SKILL.md, whole. */
  content: string;
  /** Applied: where the replaced file was kept. */
  backupFile: string | null;
}

/** What `skills check` reports for one folder. */
export interface SkillCheckReport {
  dir: string;
  name: string;
  ok: boolean;
  errors: SkillIssue[];
  warnings: SkillIssue[];
}

export interface SkillsService {
  /** Every skill copy an agent (default main) can see, each with its status: winners first by name, then the ones they shadow. */
  list(agentId?: string): Promise<SkillInfo[]>;
  /** The copy of `name` an agent sees (the winner), with its body; throws ALEPH_E_NOT_FOUND with the names there are. */
  get(name: string, options?: { agentId?: string }): Promise<SkillDetail>;
  /** One supporting file of the winning copy (a path relative to its folder, inside it); text, at most 256 KB. */
  readFile(name: string, file: string, options?: { agentId?: string }): Promise<string>;
  /** The available skills ranked for a message, best first (lexical, plus the `embeddings` service when present). */
  match(text: string, options?: { agentId?: string; k?: number }): Promise<SkillMatch[]>;
  /**
   * The available skills as the system prompt lists them: name, description and location, XML-escaped,
   * shrunk to `maxChars` (full, then name and location, then cut with a count of what was left out).
   * Byte-identical while nothing changed. Empty when there are none or `[skills] enabled` is false.
   */
  promptIndex(agentId?: string, options?: { maxChars?: number }): Promise<string>;
  /** A new skill folder with a valid SKILL.md skeleton, in `[skills] skills_dir` (or the agent's workspace); returns the file. */
  create(name: string, options?: { agentId?: string; description?: string }): Promise<string>;
  stats(): Promise<SkillsStats>;
  /** Asks the model for an improved SKILL.md from the skill's failing turns; stored as a pending suggestion. */
  evolve(name: string, options?: { agentId?: string; force?: boolean }): Promise<SkillSuggestion>;
  suggestions(options?: { status?: SuggestionStatus; skill?: string }): Promise<SkillSuggestion[]>;
  suggestion(id: string): Promise<SkillSuggestion>;
  /** Writes the suggestion over the skill's SKILL.md atomically, keeping the old file beside it. */
  applySuggestion(id: string): Promise<SkillSuggestion>;
  rejectSuggestion(id: string): Promise<SkillSuggestion>;
}

export const skillsRef = createServiceRef<SkillsService>("skills");

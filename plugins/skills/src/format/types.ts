import type { SkillIssue, SkillRequirements } from "@aleph/plugin-sdk";

/** A SKILL.md as read: its front-matter, checked, and its body. */
export interface ParsedSkill {
  name: string;
  description: string;
  license?: string;
  compatibility?: string;
  metadata: Record<string, string>;
  allowedTools: string[];
  requires?: SkillRequirements;
  userInvocable: boolean;
  /** The Markdown after the front-matter. */
  body: string;
  /** 1-based line of the body's first line in the file. */
  bodyLine: number;
}

/** The outcome of reading one SKILL.md: usable (maybe with warnings), or invalid with its errors. */
export type SkillParseResult =
  | { ok: true; skill: ParsedSkill; warnings: SkillIssue[] }
  | { ok: false; name: string; errors: SkillIssue[]; warnings: SkillIssue[] };

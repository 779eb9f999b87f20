import type { SkillIssue, SkillRequirements } from "@aleph/plugin-sdk";
import * as z from "@aleph/zod/mini";
import type { Document, LineCounter } from "yaml";
import { splitFrontMatter } from "./front-matter.js";
import type { ParsedSkill, SkillParseResult } from "./types.js";


/*
 * Reading one SKILL.md against the Agent Skills specification (agentskills.io/specification), plus
 * Aleph's two top-level extensions (`requires`, `user-invocable`). What makes a skill unusable is an
 * error: no front-matter or YAML that does not parse, a missing or bad name, a name that is not its
 * folder's, a missing or oversize description, a `requires` that cannot be read (ignoring it could
 * offer a skill that cannot work). Every other departure from the specification is a warning.
 */

export const NAME_MAX = 64;
export const DESCRIPTION_MAX = 1024;
export const COMPATIBILITY_MAX = 500;
/** The specification's advice: keep SKILL.md under 500 lines, moving detail to references/. */
export const BODY_LINES_ADVISED = 500;
export const NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const NAME_RULE = "1–64 lowercase letters, digits and single hyphens, not starting or ending with one (e.g. git-commit)";

/** The fields the specification defines, and Aleph's extensions. */
export const SPEC_FIELDS = ["name", "description", "license", "compatibility", "metadata", "allowed-tools"] as const;
export const ALEPH_FIELDS = ["requires", "user-invocable"] as const;

/** `os:` accepts the platform names people write, mapped to Node's. */
const OS_ALIASES: Record<string, string> = { macos: "darwin", mac: "darwin", osx: "darwin", windows: "win32", win: "win32" };

const stringList = z.pipe(z.union([z.string().check(z.minLength(1)), z.array(z.string().check(z.minLength(1)))]), z.transform((v: string | string[]) => (typeof v === "string" ? [v] : v)));

const requiresSchema = z.strictObject({
  bins: z.optional(stringList),
  any_bins: z.optional(stringList),
  env: z.optional(stringList),
  config: z.optional(stringList),
  os: z.optional(stringList),
});

const nameSchema = z.string().check(z.minLength(1), z.maxLength(NAME_MAX), z.regex(NAME_PATTERN));
const descriptionSchema = z.string().check(z.trim(), z.minLength(1, "is empty"), z.maxLength(DESCRIPTION_MAX, `is longer than ${DESCRIPTION_MAX} characters`));

export interface ParseOptions {
  /** The SKILL.md's path, for issues. */
  file: string;
  /** The folder's name: a skill's name must equal it. */
  folder: string;
}

let yamlModule: Promise<typeof import("yaml")> | undefined;
/** yaml is loaded on the first SKILL.md read: a start with a warm index never loads it. */
const loadYaml = () => (yamlModule ??= import("yaml"));

/** Reads a SKILL.md's text. Never throws for bad input: the result says what is wrong and where. */
export async function parseSkill(text: string, options: ParseOptions): Promise<SkillParseResult> {
  const { file, folder } = options;
  const split = splitFrontMatter(text);
  if ("error" in split) return { ok: false, name: folder, errors: [{ file, line: split.line, message: split.error }], warnings: [] };
  const { parseDocument, LineCounter, isMap } = await loadYaml();
  const lines = new LineCounter();
  const doc = parseDocument(split.yaml, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number) => lines.linePos(offset).line + split.yamlLine - 1;
  if (doc.errors.length > 0) {
    return { ok: false, name: folder, errors: doc.errors.map((e) => ({ file, line: lineOf(e.pos[0]), message: `invalid YAML: ${e.message.split("\n")[0]}` })), warnings: [] };
  }
  if (!isMap(doc.contents)) {
    return { ok: false, name: folder, errors: [{ file, line: split.yamlLine, message: "the front-matter is not a mapping of fields (name: …, description: …)" }], warnings: [] };
  }
  const data = doc.toJS() as Record<string, unknown>;
  const at = (field: string) => lineOfKey(doc, lines, field, split.yamlLine);
  const errors: SkillIssue[] = [];
  const warnings: SkillIssue[] = [];
  const error = (field: string | undefined, message: string) => errors.push({ file, ...(field ? { line: at(field), field } : { line: split.yamlLine }), message });
  const warn = (field: string | undefined, message: string) => warnings.push({ file, ...(field ? { line: at(field), field } : { line: split.yamlLine }), message });

  // name: required, well-formed, and its folder's.
  const rawName = data.name;
  let name = folder;
  if (rawName === undefined) error(undefined, `no name: add name: ${NAME_PATTERN.test(folder) ? folder : "<the folder's name>"}`);
  else if (!nameSchema.safeParse(rawName).success) error("name", `name ${JSON.stringify(rawName)} is not a skill name: ${NAME_RULE}`);
  else {
    name = rawName as string;
    if (name !== folder) error("name", `name "${name}" differs from its folder "${folder}": rename one so they are equal`);
  }

  // description: what the agent decides by, so it must be there and bounded.
  let description = "";
  if (data.description === undefined) error(undefined, "no description: add description: what the skill does and when to use it");
  else {
    const parsed = descriptionSchema.safeParse(data.description);
    if (parsed.success) description = parsed.data;
    else error("description", typeof data.description === "string" ? `description ${parsed.error.issues[0]!.message}` : "description is not text");
  }

  const optionalText = (field: string, max?: number): string | undefined => {
    const value = data[field];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.trim() === "") return void warn(field, `${field} is not text: ignored`);
    if (max !== undefined && value.length > max) warn(field, `${field} is longer than ${max} characters`);
    return value;
  };
  const license = optionalText("license");
  const compatibility = optionalText("compatibility", COMPATIBILITY_MAX);

  const metadata: Record<string, string> = {};
  if (data.metadata !== undefined) {
    if (typeof data.metadata !== "object" || data.metadata === null || Array.isArray(data.metadata)) warn("metadata", "metadata is not a mapping of keys to text: ignored");
    else {
      for (const [key, value] of Object.entries(data.metadata as Record<string, unknown>)) {
        if (typeof value === "string") metadata[key] = value;
        else if (typeof value === "number" || typeof value === "boolean") {
          metadata[key] = String(value);
          warn("metadata", `metadata.${key} is not text (quote it): read as "${String(value)}"`);
        } else warn("metadata", `metadata.${key} is not text: ignored`);
      }
    }
  }

  let allowedTools: string[] = [];
  const tools = data["allowed-tools"];
  if (typeof tools === "string") allowedTools = tools.split(/\s+/).filter(Boolean);
  else if (Array.isArray(tools) && tools.every((t) => typeof t === "string")) {
    allowedTools = tools as string[];
    warn("allowed-tools", "allowed-tools is a list: the specification writes it as one space-separated string");
  } else if (tools !== undefined) warn("allowed-tools", "allowed-tools is not a space-separated list of tools: ignored");

  let requires: SkillRequirements | undefined;
  if (data.requires !== undefined) {
    const parsed = requiresSchema.safeParse(data.requires);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = issue.code === "unrecognized_keys" ? issue.keys[0] : issue.path[0];
      error("requires", issue.code === "unrecognized_keys" ? `requires.${String(key)} is not a requirement (known: bins, any_bins, env, config, os)` : `requires${key !== undefined ? `.${String(key)}` : ""} must be a name or a list of names`);
    } else {
      const r = parsed.data;
      requires = { bins: r.bins ?? [], anyBins: r.any_bins ?? [], env: r.env ?? [], config: r.config ?? [], os: (r.os ?? []).map((os) => OS_ALIASES[os.toLowerCase()] ?? os.toLowerCase()) };
    }
  }

  let userInvocable = false;
  if (data["user-invocable"] !== undefined) {
    if (typeof data["user-invocable"] === "boolean") userInvocable = data["user-invocable"];
    else warn("user-invocable", "user-invocable is not true or false: read as false");
  }

  for (const key of Object.keys(data)) {
    if (!(SPEC_FIELDS as readonly string[]).includes(key) && !(ALEPH_FIELDS as readonly string[]).includes(key)) {
      warn(key, `unknown field "${key}" (the specification's: ${SPEC_FIELDS.join(", ")}; Aleph's: ${ALEPH_FIELDS.join(", ")}); put extra data under metadata:`);
    }
  }

  const bodyLines = split.body.split("\n").length;
  if (bodyLines > BODY_LINES_ADVISED) warnings.push({ file, line: split.bodyLine, message: `the instructions are ${bodyLines} lines: the specification advises under ${BODY_LINES_ADVISED}, with details in references/` });
  if (split.body.trim() === "") warnings.push({ file, line: split.bodyLine, message: "no instructions after the front-matter" });

  if (errors.length > 0) return { ok: false, name, errors, warnings };
  const skill: ParsedSkill = {
    name,
    description,
    ...(license !== undefined ? { license } : {}),
    ...(compatibility !== undefined ? { compatibility } : {}),
    metadata,
    allowedTools,
    ...(requires ? { requires } : {}),
    userInvocable,
    body: split.body,
    bodyLine: split.bodyLine,
  };
  return { ok: true, skill, warnings };
}

/** Warnings a skill author wants before sharing (`skills check --strict`): Aleph's extensions are not portable. */
export function portabilityWarnings(text: string, file: string): SkillIssue[] {
  const split = splitFrontMatter(text);
  if ("error" in split) return [];
  const out: SkillIssue[] = [];
  const lines = split.yaml.split("\n");
  for (const field of ALEPH_FIELDS) {
    const index = lines.findIndex((l) => l.startsWith(`${field}:`));
    if (index >= 0) out.push({ file, line: split.yamlLine + index, field, message: `${field} is an Aleph extension: other agents ignore it (move it under metadata: to share the skill widely)` });
  }
  return out;
}

/** The line of a top-level key in the front-matter. */
function lineOfKey(doc: Document, lines: LineCounter, key: string, yamlLine: number): number {
  const map = doc.contents as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null;
  const item = map?.items?.find((i) => i.key?.value === key);
  const offset = item?.key?.range?.[0];
  return offset === undefined ? yamlLine : lines.linePos(offset).line + yamlLine - 1;
}

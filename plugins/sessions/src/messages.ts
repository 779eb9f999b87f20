import { AlephError, SESSION_ROLES, toJsonText, type SessionMessage, type SessionMessageInput, type SessionRole } from "@aleph/plugin-sdk";

/*
 * Checking a message before it is stored: every field is validated up front, so a refused
 * append writes nothing, and the body stored is exactly what reads back.
 */

const MAX_ID_LENGTH = 256;
const MAX_NAME_LENGTH = 256;
const MESSAGE_FIELDS = new Set(["role", "content", "name", "id", "tokens", "meta"]);

export interface MessageLimits {
  /** Largest stored message (its JSON body), in UTF-8 bytes. */
  maxBytes: number;
}

/** A message checked and ready to insert, missing only its seq, timestamp and counted tokens. */
export type CheckedMessage = SessionMessageInput;

function usage(message: string, fix: string): AlephError {
  return new AlephError("ALEPH_E_USAGE", message, { fix });
}

export function checkCount(name: string, value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw usage(`${where}: ${name} must be a non-negative integer, got ${JSON.stringify(value) ?? String(value)}`, `pass a whole number ≥ 0 for ${name}`);
  }
  return value;
}

/** Validates one message as given to append (or read from an import); `where` names it in errors ("message 3"). */
export function checkMessageInput(input: unknown, where: string): CheckedMessage {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw usage(`${where} must be an object { role, content, name?, id?, tokens?, meta? }`, "pass a message object");
  }
  const record = input as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (!MESSAGE_FIELDS.has(field)) {
      throw usage(`${where} has an unknown field "${field}"`, `use only ${[...MESSAGE_FIELDS].join(", ")} (put extra data in meta)`);
    }
  }
  const role = record.role;
  if (typeof role !== "string" || !(SESSION_ROLES as readonly string[]).includes(role)) {
    throw usage(`${where} has role ${JSON.stringify(role) ?? "undefined"}`, `use one of ${SESSION_ROLES.join(", ")}`);
  }
  if (record.content === undefined) throw new AlephError("ALEPH_E_JSON", `${where} has no content`, { fix: "pass a string or any JSON value as content" });
  const message: CheckedMessage = { role: role as SessionRole, content: record.content };
  if (record.name !== undefined) {
    if (typeof record.name !== "string" || record.name.length === 0 || record.name.length > MAX_NAME_LENGTH) {
      throw usage(`${where}: name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`, "fix or omit the name");
    }
    message.name = record.name;
  }
  if (record.id !== undefined) {
    if (typeof record.id !== "string" || record.id.length === 0 || record.id.length > MAX_ID_LENGTH) {
      throw usage(`${where}: id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`, "fix or omit the idempotency id");
    }
    message.id = record.id;
  }
  if (record.tokens !== undefined) message.tokens = checkCount("tokens", record.tokens, where);
  if (record.meta !== undefined) {
    if (typeof record.meta !== "object" || record.meta === null || Array.isArray(record.meta)) {
      throw usage(`${where}: meta must be an object`, "pass meta as { key: value }");
    }
    message.meta = record.meta as Record<string, unknown>;
  }
  return message;
}

/**
 * The stored form of a message, in a fixed member order, serialised strictly and size-checked.
 * Returns the body text and the parsed snapshot (so later mutation of the caller's object cannot leak in).
 */
export function storedBody(message: SessionMessage, limits: MessageLimits, where: string): { body: string; stored: SessionMessage } {
  const ordered: SessionMessage = { seq: message.seq, ts: message.ts, role: message.role, content: message.content, tokens: message.tokens };
  if (message.name !== undefined) ordered.name = message.name;
  if (message.id !== undefined) ordered.id = message.id;
  if (message.meta !== undefined) ordered.meta = message.meta;
  if (message.summaryOf !== undefined) ordered.summaryOf = message.summaryOf;
  const body = toJsonText(ordered, {
    what: where,
    root: "message",
    maxBytes: limits.maxBytes,
    limitFix: "raise [sessions] max_message_bytes in config.toml",
  });
  return { body, stored: JSON.parse(body) as SessionMessage };
}

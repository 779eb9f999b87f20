/**
 * The error codes Aleph itself uses. A code never changes meaning; tools and tests match on it.
 * The message says what went wrong and where, `fix` says how to repair it.
 */
export type KnownAlephErrorCode =
  | "ALEPH_E_MANIFEST"
  | "ALEPH_E_ENTRY"
  /** The kernel was started without a loader for the plugin's kind (createKernel's `loaders`). */
  | "ALEPH_E_NO_LOADER"
  | "ALEPH_E_IMPORT"
  | "ALEPH_E_API"
  | "ALEPH_E_CONFIG"
  | "ALEPH_E_SETUP"
  | "ALEPH_E_TIMEOUT"
  | "ALEPH_E_DEPENDENCY"
  | "ALEPH_E_CYCLE"
  | "ALEPH_E_DUPLICATE"
  | "ALEPH_E_SERVICE"
  | "ALEPH_E_INVALID_ID"
  | "ALEPH_E_LOCKED"
  | "ALEPH_E_UNHANDLED"
  | "ALEPH_E_QUARANTINED"
  | "ALEPH_E_UNSAFE_PATH"
  | "ALEPH_E_RPC"
  | "ALEPH_E_CANCELLED"
  | "ALEPH_E_COMMAND_CONFLICT"
  | "ALEPH_E_WASM_TRAP"
  | "ALEPH_E_WASM_OUTPUT"
  | "ALEPH_E_PERMISSION"
  | "ALEPH_E_TOOL"
  | "ALEPH_E_TOOL_ARGS"
  | "ALEPH_E_IDENTITY"
  | "ALEPH_E_USAGE"
  | "ALEPH_E_VAULT"
  | "ALEPH_E_SESSION_KEY"
  | "ALEPH_E_NOT_FOUND"
  | "ALEPH_E_LIMIT"
  | "ALEPH_E_JSON"
  /** A data file is damaged (SQLite: SQLITE_CORRUPT / SQLITE_NOTADB, a failed integrity check); writes to it are refused. */
  | "ALEPH_E_CORRUPT"
  /** A native addon (e.g. better-sqlite3) cannot be loaded: built for another Node, or not built. */
  | "ALEPH_E_NATIVE_MODULE"
  /** The thing asked for is in a state that forbids it (a suggestion already applied or rejected). */
  | "ALEPH_E_CONFLICT"
  /** A person (or the lack of one) said no: an approval was denied, timed out, or nobody could be asked. */
  | "ALEPH_E_DENIED"
  /** A URL a tool was asked to reach is not allowed: a private address (SSRF), a denied host, a scheme. */
  | "ALEPH_E_BLOCKED_URL";

/**
 * An error code: one Aleph uses, or a plugin's own (`ALEPH_E_<NAME>`, upper case). The type is open
 * so a plugin can add codes without a new SDK; `& {}` keeps the known ones offered by editors.
 */
export type AlephErrorCode = KnownAlephErrorCode | (`ALEPH_E_${string}` & {});

export interface AlephErrorOptions {
  /** How to repair it, in one sentence. */
  fix?: string;
  /** The file it concerns, when there is one. */
  file?: string;
  /** Line in that file, 1-based, when known. */
  line?: number;
  cause?: unknown;
}

/** An error with a stable code, the file it concerns and how to fix it. */
export class AlephError extends Error {
  readonly code: AlephErrorCode;
  readonly fix: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(code: AlephErrorCode, message: string, options: AlephErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AlephError";
    this.code = code;
    this.fix = options.fix;
    this.file = options.file;
    this.line = options.line;
  }

  /** One line for humans: what, where, how to fix. */
  describe(): string {
    const where = this.file ? ` (${this.file}${this.line ? `:${this.line}` : ""})` : "";
    return `${this.code}: ${this.message}${where}${this.fix ? ` Fix: ${this.fix}` : ""}`;
  }
}

/** True for an AlephError from any copy of the SDK (a plugin may bundle its own). */
export function isAlephError(value: unknown): value is AlephError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    (value as { code: string }).code.startsWith("ALEPH_E_")
  );
}

/** The message of anything thrown, without its stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : JSON.stringify(error);
}

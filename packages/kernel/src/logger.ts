import { join } from "node:path";
import { isSerializedError, mkdirPrivateSync, redactFields, serializeErrors, type Logger, type SecretRedactor } from "@aleph/plugin-sdk";
import { LogFile } from "./log-file.js";
import { levelFor, type LogLevel, type LogLevelSpec } from "./log-levels.js";

/** Modules whose lines go to agent.log (agent loop, tools, LLM calls); everything else to gateway.log. */
const AGENT_LOG_MODULES = new Set(["agent", "tools", "protocols", "providers", "memory", "skills", "identity"]);

export interface LogSystemOptions {
  /** Directory of gateway.log and agent.log; undefined writes no files. */
  logDir?: string;
  /** Human-readable lines on stderr. */
  stderr: boolean;
  color: boolean;
  levels: LogLevelSpec;
  redactor: SecretRedactor;
}

export interface LogSystem {
  /** A logger for a module ("kernel", a plugin id, …). */
  get(module: string): Logger;
  flush(): void;
  /** Flushes and closes the log files; lines logged afterwards (a straggling timer) are dropped. */
  close(): Promise<void>;
}

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const LEVEL_COLORS: Record<number, string> = { 10: "90", 20: "36", 30: "32", 40: "33", 50: "31", 60: "35" };

/** Formats one JSON log line for a human: time, level, module, message, then the fields. */
export function formatHumanLine(json: string, color: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, msg, module, pid: _pid, hostname: _hostname, ...fields } = record;
  const t = typeof time === "string" ? time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const name = LEVEL_NAMES[level as number] ?? String(level);
  const levelText = color ? `\u001b[${LEVEL_COLORS[level as number] ?? "0"}m${name.padEnd(5)}\u001b[0m` : name.padEnd(5);
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : isSerializedError(v) ? briefError(v) : JSON.stringify(v)}`)
    .join(" ");
  return `${t} ${levelText} [${String(module ?? "-")}] ${String(msg ?? "")}${extra ? ` ${extra}` : ""}\n`;
}

/** An error field on one human line: type, message, code, and where it was thrown (the full stack is in logs/). */
function briefError(error: { type?: string; message: string; code?: unknown; stack?: string }): string {
  const frame = error.stack?.split("\n").find((line) => line.trimStart().startsWith("at "))?.trim();
  return `${error.type ?? "Error"}: ${error.message}${error.code !== undefined ? ` [${String(error.code)}]` : ""}${frame ? ` (${frame})` : ""}`;
}

const LEVEL_VALUES: Record<Exclude<LogLevel, "silent">, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const SILENT = Infinity;

/** JSON of a log record; a field JSON cannot write (a cycle, a BigInt) is written as a placeholder instead of failing the line. */
function toJson(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record);
  } catch {
    const ancestors: unknown[] = [];
    return JSON.stringify(record, function (this: unknown, _key, value: unknown) {
      if (typeof value === "bigint") return value.toString();
      if (value === null || typeof value !== "object") return value;
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(value)) return "[Circular]";
      ancestors.push(value);
      return value;
    });
  }
}

/**
 * The one logger: JSON lines to logs/gateway.log and logs/agent.log, readable lines on stderr,
 * a level per module from ALEPH_LOG, secret-named fields and known secret values scrubbed from
 * every line before it is written anywhere. (Its own few lines rather than pino: Aleph used a
 * sliver of pino, which was half the kernel's code to load at every start.)
 */
export function createLogSystem(options: LogSystemOptions): LogSystem {
  // Logs quote conversations and errors: private, like everything under the state root.
  if (options.logDir) mkdirPrivateSync(options.logDir);
  const gateway = options.logDir ? new LogFile(join(options.logDir, "gateway.log")) : undefined;
  const agent = options.logDir ? new LogFile(join(options.logDir, "agent.log")) : undefined;
  const files = [gateway, agent].filter((f): f is LogFile => f !== undefined);
  const pid = process.pid;
  const cache = new Map<string, Logger>();

  const write = (file: LogFile | undefined, level: number, module: string, msg: string, fields: Record<string, unknown> | undefined) => {
    const time = new Date().toISOString();
    const record: Record<string, unknown> = { level, time, pid, module };
    // Errors become {type, message, code, stack, cause} (JSON would write them as {}); the stack
    // then goes through the same value scrub as the rest of the line.
    if (fields !== undefined && fields !== null) {
      const clean = redactFields(serializeErrors(fields)) as unknown;
      // A plugin may pass something other than an object of fields (a string, an array): kept whole.
      if (typeof clean === "object" && !Array.isArray(clean)) Object.assign(record, clean, { level, time, pid, module }); // a field cannot pass for these
      else record.fields = clean;
    }
    record.msg = msg;
    const line = options.redactor.redact(toJson(record)) + "\n";
    file?.write(line);
    if (options.stderr) process.stderr.write(formatHumanLine(line, options.color));
  };

  const get = (module: string): Logger => {
    let logger = cache.get(module);
    if (!logger) {
      const file = AGENT_LOG_MODULES.has(module.split(".")[0]!) ? agent : gateway;
      const levelName = levelFor(options.levels, module);
      const threshold = levelName === "silent" ? SILENT : LEVEL_VALUES[levelName];
      const at = (level: number) => (msg: string, fields?: Record<string, unknown>) => {
        if (level >= threshold) write(file, level, module, msg, fields);
      };
      logger = { trace: at(10), debug: at(20), info: at(30), warn: at(40), error: at(50), child: (child) => get(`${module}.${child}`) };
      cache.set(module, logger);
    }
    return logger;
  };

  return {
    get,
    async close() {
      for (const file of files) file.close();
    },
    flush() {
      for (const file of files) file.flushSync();
    },
  };
}

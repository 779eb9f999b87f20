import { join } from "node:path";
import pino from "pino";
import { mkdirPrivateSync, PRIVATE_FILE_MODE, type Logger } from "@aleph/plugin-sdk";
import { levelFor, type LogLevelSpec } from "./log-levels.js";
import { isSerializedError, redactFields, serializeErrors, type SecretRedactor } from "@aleph/plugin-sdk";

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

interface Destination {
  write(line: string): unknown;
  flushSync?(): void;
  end?(): void;
  once?(event: string, listener: () => void): unknown;
}

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const LEVEL_COLORS: Record<number, string> = { 10: "90", 20: "36", 30: "32", 40: "33", 50: "31", 60: "35" };

/** Formats one pino JSON line for a human: time, level, module, message, then the fields. */
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

function wrap(logger: pino.Logger, make: (module: string) => Logger): Logger {
  return {
    trace: (msg, fields) => (fields ? logger.trace(fields, msg) : logger.trace(msg)),
    debug: (msg, fields) => (fields ? logger.debug(fields, msg) : logger.debug(msg)),
    info: (msg, fields) => (fields ? logger.info(fields, msg) : logger.info(msg)),
    warn: (msg, fields) => (fields ? logger.warn(fields, msg) : logger.warn(msg)),
    error: (msg, fields) => (fields ? logger.error(fields, msg) : logger.error(msg)),
    child: (module) => make(module),
  };
}

/**
 * The one logger: JSON lines to logs/gateway.log and logs/agent.log, readable lines on stderr,
 * a level per module from ALEPH_LOG, secret-named fields and known secret values scrubbed from
 * every line before it is written anywhere.
 */
export function createLogSystem(options: LogSystemOptions): LogSystem {
  const destinations: Destination[] = [];
  let closed = false;
  const makeRoot = (file: string | undefined): pino.Logger => {
    const streams: pino.StreamEntry[] = [];
    if (file) {
      const dest = pino.destination({ dest: file, sync: false, mkdir: true, mode: PRIVATE_FILE_MODE }) as unknown as Destination;
      destinations.push(dest);
      // Writes go through a guard: after close() the file stream is gone, and writing to it would throw.
      streams.push({ stream: { write: (line: string) => (closed ? undefined : dest.write(line)) }, level: "trace" });
    }
    if (options.stderr) {
      streams.push({ stream: { write: (line: string) => process.stderr.write(formatHumanLine(line, options.color)) }, level: "trace" });
    }
    return pino(
      {
        level: "trace",
        base: { pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
        // Errors become {type, message, code, stack, cause} (JSON would write them as {}); the
        // stack then goes through the same value scrub as the rest of the line.
        formatters: { log: (fields) => redactFields(serializeErrors(fields)) },
        hooks: { streamWrite: (line) => options.redactor.redact(line) },
      },
      streams.length > 0 ? pino.multistream(streams) : { write: () => undefined },
    );
  };
  // Logs quote conversations and errors: private, like everything under the state root.
  if (options.logDir) mkdirPrivateSync(options.logDir);
  const gateway = makeRoot(options.logDir ? join(options.logDir, "gateway.log") : undefined);
  const agent = makeRoot(options.logDir ? join(options.logDir, "agent.log") : undefined);
  const cache = new Map<string, Logger>();

  const get = (module: string): Logger => {
    let logger = cache.get(module);
    if (!logger) {
      const root = AGENT_LOG_MODULES.has(module.split(".")[0]!) ? agent : gateway;
      logger = wrap(root.child({ module }, { level: levelFor(options.levels, module) }), (child) => get(`${module}.${child}`));
      cache.set(module, logger);
    }
    return logger;
  };

  return {
    get,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(
        destinations.map(
          (dest) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 1000);
              timer.unref();
              const done = () => {
                clearTimeout(timer);
                resolve();
              };
              try {
                dest.once?.("close", done);
                dest.once?.("error", done);
                dest.end?.();
              } catch {
                done();
              }
            }),
        ),
      );
    },
    flush() {
      for (const dest of destinations) {
        try {
          dest.flushSync?.();
        } catch {
          // Not ready yet (nothing written): nothing to flush.
        }
      }
    },
  };
}

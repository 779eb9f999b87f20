import { existsSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { AlephError, definePlugin, errorMessage, estimateTokens, optionsOf, sessionsRef, subagentsRef, tokenCounterRef, type EventPayload, type SessionsService } from "@aleph/plugin-sdk";
import * as z from "@aleph/zod/mini";
import { unreadableError } from "./damage.js";
import { applyPragmas, openSessionsDb } from "./database.js";
import { SessionCoordinator } from "./session-coordinator.js";
import { formatSessionExport, parseSessionExport } from "./session-jsonl.js";
import { SessionStore, type StoreOptions } from "./session-store.js";
import { SwapManager } from "./swap-manager.js";
import { appendCommand } from "./commands/append.js";
import { exportCommand } from "./commands/export.js";
import { importCommand } from "./commands/import.js";
import { listCommand } from "./commands/list.js";
import { rmCommand } from "./commands/rm.js";
import { showCommand } from "./commands/show.js";


const MiB = 1024 * 1024;

const subagentsConfig = z.object({
  /** Sub-agents acquired at once; acquiring one more is refused (ALEPH_E_LIMIT). */
  max_active: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(10_000)), 8).check(z.describe("sub-agents acquired at once")),
  /** Idle sub-agents kept in memory; beyond it the longest-idle ones are swapped out. */
  max_idle: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(10_000)), 16).check(z.describe("idle ones kept in memory; the rest are swapped out")),
  /** An idle sub-agent's context is swapped out to <root>/swap/ after this long. */
  swap_after_ms: z._default(z.number().check(z.int(), z.minimum(0)), 300_000).check(z.describe("idle this long: context swapped out to swap/")),
  /** Largest sub-agent context, in UTF-8 bytes of its JSON. */
  max_context_bytes: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(256 * MiB)), 16 * MiB),
});

export default definePlugin({
  // `aleph sessions …`, declared in aleph_plugin.toml's [[commands]]; they reach the store only through the kernel handle.
  commands: {
    "sessions list": listCommand,
    "sessions show": showCommand,
    "sessions append": appendCommand,
    "sessions export": exportCommand,
    "sessions import": importCommand,
    "sessions rm": rmCommand,
  },

  // The [sessions] section of config.toml.
  config: z.object({
    /** Largest stored message, in UTF-8 bytes of its JSON. */
    max_message_bytes: z._default(z.number().check(z.int(), z.minimum(256), z.maximum(16 * MiB)), MiB).check(z.describe("largest stored message (bytes of its JSON)")),
    /** "full": every commit fsync'd (survives power loss); "normal": survives process crashes, faster. */
    synchronous: z._default(z.enum(["full", "normal"]), "full"),
    /** How long a write waits for another process's lock on sessions.db. */
    busy_timeout_ms: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(600_000)), 5000).check(z.describe("how long a write waits for another process's lock")),
    subagents: z._default(subagentsConfig, subagentsConfig.parse({})),
  }),

  setup(ctx) {
    const settings = { ...ctx.config, subagents: { ...ctx.config.subagents } };
    const file = join(ctx.paths.root, "sessions.db");
    // A damaged file keeps the plugin up, read-only: what still reads can be exported before it is replaced.
    const reportDamage = (error: AlephError) => ctx.log.error(`${error.describe()} (reads are served, every write is refused)`);

    // Events go out after the commit and are not awaited: a slow subscriber never holds a writer.
    const emit = <K extends string>(event: K, payload: EventPayload<K>) => void ctx.events.emit(event, payload);
    let counterWarned = false;
    const storeOptions: StoreOptions = {
      onDamage: reportDamage,
      limits: {
        get maxBytes() {
          return settings.max_message_bytes;
        },
      },
      // Looked up per call: a token-counter plugin loaded (or unloaded) later takes effect at once.
      countTokens: (message) => {
        const counter = ctx.services.getOptional(tokenCounterRef);
        if (!counter) return estimateTokens(message);
        let problem: string;
        try {
          const counted = counter.count(message);
          // A fractional count (length / 4) is fine rounded; anything else would corrupt token_count.
          if (typeof counted === "number" && Number.isFinite(counted) && counted >= 0) return Math.round(counted);
          problem = `it returned ${typeof counted === "number" ? counted : typeof counted}, not a count`;
        } catch (error) {
          problem = `it threw: ${(error as Error).message}`;
        }
        if (!counterWarned) ctx.log.warn(`token-counter failed (${problem}); using the built-in estimate (reported once)`);
        counterWarned = true;
        return estimateTokens(message);
      },
      events: {
        created: (info) => emit("session.created", { key: info.key, kind: info.kind, agentId: info.agentId, channel: info.channel }),
        appended: (info, messages) => {
          for (const message of messages) emit("session.message.appended", { key: info.key, agentId: info.agentId, message });
        },
        compacted: (info, replaced, summary) => emit("session.compacted", { key: info.key, replaced, summarySeq: summary.seq, tokenCount: info.tokenCount }),
        archived: (info) => emit("session.archived", { key: info.key, archivedAt: info.archivedAt! }),
        deleted: (key, count) => emit("session.deleted", { key, count }),
      },
    };
    // The database, opened on first use (the driver and its native addon load then, ~10 ms).
    let opened: { db: Database.Database; store: SessionStore } | undefined;
    let disposed = false;
    const open = (): { db: Database.Database; store: SessionStore } => {
      if (opened) return opened;
      if (disposed) throw new AlephError("ALEPH_E_SERVICE", "the sessions plugin has stopped", { fix: "retry once Aleph has restarted" });
      const { db, damage } = openSessionsDb(file, { synchronous: settings.synchronous, busyTimeoutMs: settings.busy_timeout_ms });
      if (damage) reportDamage(damage);
      try {
        return (opened = { db, store: new SessionStore(db, { ...storeOptions, ...(damage ? { damage } : {}) }) });
      } catch (error) {
        db.close();
        // Damaged past reading its own schema (not a database at all, the schema pages unreadable): nothing to serve.
        if (damage) throw unreadableError(damage.file!, errorMessage(error), error);
        throw error;
      }
    };
    ctx.onDispose(() => {
      disposed = true;
      opened?.db.close();
    });
    // A file that exists is opened now: a damaged one must fail the plugin, where `aleph plugins
    // list` and doctor show it. A fresh workspace has nothing to check — its file is created on first
    // use, or just after the kernel is ready (not on the ready path: `aleph start` is ~10 ms sooner).
    if (existsSync(file)) open();
    else {
      ctx.onReady(() => {
        setImmediate(() => {
          if (disposed) return;
          try {
            open();
          } catch (error) {
            ctx.log.error("sessions.db could not be created; each call will try again", { error });
          }
        });
      });
    }
    const store = () => open().store;

    const sessions: SessionsService = {
      async create(key) {
        return store().create(key);
      },
      async get(key) {
        return store().get(key);
      },
      async append(key, messages) {
        return store().append(key, messages);
      },
      async history(key, options) {
        return store().history(key, options);
      },
      async list(filter) {
        return store().list(filter);
      },
      async compact(key, options) {
        return store().compact(key, options);
      },
      async archive(key) {
        return store().archive(key);
      },
      async delete(key, options) {
        return store().delete(key, options);
      },
      async export(key, options) {
        const { info, messages, compacted } = store().snapshot(key, optionsOf(options, "export").archivedAt ?? undefined);
        return formatSessionExport(info, messages, compacted);
      },
      async import(jsonl, options) {
        return store().restore(parseSessionExport(jsonl), optionsOf(options, "import").replace === true);
      },
    };
    ctx.services.provide(sessionsRef, sessions);

    const coordinator = new SessionCoordinator({ store, swap: new SwapManager(join(ctx.paths.root, "swap"), ctx.log), settings: settings.subagents, log: ctx.log });
    coordinator.startTimer();
    // Registered after db.close, so it runs before it (LIFO): contexts are swapped out first.
    ctx.onDispose(() => coordinator.close());
    const { create, acquire, update, release, list, swapOut, remove } = coordinator;
    const bind = <F extends (...args: never[]) => unknown>(fn: F) => fn.bind(coordinator) as F;
    ctx.services.provide(subagentsRef, {
      create: bind(create),
      acquire: bind(acquire),
      update: bind(update),
      release: bind(release),
      list: bind(list),
      swapOut: bind(swapOut),
      remove: bind(remove),
    });

    ctx.onConfigChange((config) => {
      const restartTimer = config.subagents.swap_after_ms !== settings.subagents.swap_after_ms;
      Object.assign(settings.subagents, config.subagents);
      const { subagents: _, ...rest } = config;
      Object.assign(settings, rest);
      if (opened) applyPragmas(opened.db, { synchronous: settings.synchronous, busyTimeoutMs: settings.busy_timeout_ms });
      if (restartTimer) coordinator.startTimer();
    });
  },
});

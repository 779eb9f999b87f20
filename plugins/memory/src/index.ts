import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  AlephError,
  agentRef,
  definePlugin,
  embeddingsRef,
  errorMessage,
  eventChannel,
  importSibling,
  memoryRef,
  providersRef,
  sessionsRef,
  toolsRef,
  workspaceRef,
  type EmbeddingsService,
  type MemoryService,
} from "@aleph/plugin-sdk";
import { memoryTools } from "./agent/memory-tools.js";
import { recallContributor } from "./agent/recall.js";
import { memoryConfigSchema, type MemoryConfig } from "./config.js";
import { autoExtractMode, NOTES_DIR } from "./settings.js";
import type { AutoExtractor, MemoryRuntime, NotesIndexer } from "./runtime.js";

/*
 * This entry stays small — it is imported at every start: the services, the tool and context
 * registrations, the listeners. Everything they do is in dist/runtime.js (stores, embedders,
 * search, extraction, notes, the compaction flush, the doctor check), imported on first use.
 */
const runtimeModule = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");

const DAY_MS = 86_400_000;

export default definePlugin({
  // The [memory] section of config.toml.
  config: memoryConfigSchema,
  // `aleph doctor`'s memory check ([plugin] doctor = true), run in a child process by doctor.
  doctor: async (input) => (await runtimeModule()).memoryDoctor(input),

  setup(ctx) {
    let config: MemoryConfig = ctx.config;
    const memoryDir = join(ctx.paths.root, "memory");

    /** An agent's Markdown workspace, as the workspace plugin declares it. */
    const workspaceDir = async (agentId: string): Promise<string> => {
      const workspace = ctx.services.getOptional(workspaceRef);
      if (!workspace) {
        if (agentId === "main") return ctx.paths.workspace;
        throw new AlephError("ALEPH_E_NOT_FOUND", `cannot find agent "${agentId}"'s workspace: the workspace plugin is not running`);
      }
      const agent = workspace.agents().find((a) => a.id === agentId);
      if (!agent) throw new AlephError("ALEPH_E_NOT_FOUND", `no agent "${agentId}"`, { fix: "declare it in config.toml ([[agents]] id = …), or use one `aleph config show` lists" });
      return agent.workspaceDir;
    };
    const agents = () => ctx.services.getOptional(workspaceRef)?.agents() ?? [{ id: "main", workspaceDir: ctx.paths.workspace }];

    let loaded: Promise<MemoryRuntime> | undefined;
    const runtime = () =>
      (loaded ??= runtimeModule().then(({ createMemory }) =>
        createMemory({
          dir: memoryDir,
          config,
          providers: () => ctx.services.getOptional(providersRef),
          events: { emit: (event, payload) => ctx.events.emit(event, payload) },
          workspaceDir,
        }),
      ));
    const close = async () => {
      const previous = loaded;
      loaded = undefined;
      await previous?.then((r) => r.close()).catch(() => undefined);
    };
    ctx.onDispose(close);
    // A changed [memory] section applies from the next call: the services are built again with it.
    ctx.onConfigChange(async (next) => {
      config = next;
      await close();
    });

    const call =
      <K extends keyof MemoryService>(method: K) =>
      async (...args: Parameters<MemoryService[K]>): Promise<Awaited<ReturnType<MemoryService[K]>>> =>
        ((await runtime()).memory[method] as (...a: unknown[]) => Promise<Awaited<ReturnType<MemoryService[K]>>>)(...args);
    const memory: MemoryService = {
      add: call("add"),
      addMany: call("addMany"),
      search: call("search"),
      get: call("get"),
      list: call("list"),
      forget: call("forget"),
      pin: call("pin"),
      stats: call("stats"),
      optimize: call("optimize"),
      graphAddEdge: call("graphAddEdge"),
      about: call("about"),
      curated: call("curated"),
      curate: call("curate"),
      // Streams: the runtime is loaded inside, so the caller gets its iterable at once.
      exportFacts: (options) =>
        eventChannel(async (push, signal) => {
          for await (const page of (await runtime()).memory.exportFacts(options)) {
            if (signal.aborted) break;
            push(page);
          }
        }),
      reindex: () =>
        eventChannel(async (push) => {
          for await (const progress of (await runtime()).memory.reindex()) push(progress);
        }),
    };
    const embeddings: EmbeddingsService = {
      get model() {
        if (config.embedder === "hash") return "hash-v1";
        const provider = config.embedder.slice("provider:".length);
        const model = config.embedding_model ?? ctx.configValue(`providers.${provider}.embedding_model`, { file: "providers" });
        return `${config.embedder}/${typeof model === "string" ? model : "(no embedding_model)"}`;
      },
      dimension: async () => (await runtime()).embeddings.dimension(),
      embed: async (texts) => (await runtime()).embeddings.embed(texts),
      embedQuery: async (text) => (await runtime()).embeddings.embedQuery(text),
    };
    ctx.services.provide(memoryRef, memory);
    ctx.services.provide(embeddingsRef, embeddings);

    // The agent's tools and its turn: recall, and the flush before a compaction.
    const tools = ctx.services.getOptional(toolsRef);
    if (tools) for (const tool of memoryTools(() => memory)) ctx.onDispose(tools.register(tool, ctx.id).dispose);
    const agent = ctx.services.getOptional(agentRef);
    if (agent) {
      ctx.onDispose(agent.addContextContributor(recallContributor(() => memory, () => config)).dispose);
      ctx.onDispose(
        agent.onBeforeCompaction(async (event) => {
          await (await runtimeModule()).flushBeforeCompaction({ memory: () => memory, sessions: () => ctx.services.getOptional(sessionsRef), workspaceDir }, event);
        }).dispose,
      );
    }

    // Facts from what users write, off the append path; the extractor is made on the first message.
    let extracting: Promise<AutoExtractor> | undefined;
    const extractor = () =>
      (extracting ??= runtimeModule().then(
        ({ AutoExtractor }) =>
          new AutoExtractor({
            cursorFile: join(memoryDir, "extracted.json"),
            mode: () => autoExtractMode(config.auto_extract),
            memory: () => memory,
            sessions: () => ctx.services.getOptional(sessionsRef),
            providers: () => ctx.services.getOptional(providersRef),
            log: ctx.log,
            signal: ctx.signal,
          }),
      ));
    ctx.events.on("session.message.appended", ({ key, agentId, message }) => {
      if (message.role === "user" && autoExtractMode(config.auto_extract) !== false) void extractor().then((e) => e.enqueue(key, agentId, message)).catch(() => undefined);
    });
    // Facts of messages still queued are kept before the plugin goes (a one-command kernel ends
    // right after its turn); what a crash loses is caught up at the next start.
    ctx.onDispose(async () => {
      if (extracting) await (await extracting).idle();
    });
    let notesIndexer: NotesIndexer | undefined;
    const notes = async () => (notesIndexer ??= new (await runtimeModule()).NotesIndexer({ stateFile: join(memoryDir, "notes-index.json"), memory: () => memory, log: ctx.log }));

    // The long-running kernel catches up (messages and notes written while none ran), watches the
    // notes and purges forgotten facts — once everything is up, never delaying the start.
    if (ctx.kernelRole === "service") {
      const background = () => {
        return (async () => {
          const caught = autoExtractMode(config.auto_extract) === false ? 0 : await (await extractor()).catchUp();
          if (caught > 0) ctx.log.info("auto-extract caught up with messages appended while no kernel ran", { messages: caught });
          for (const agent of agents()) {
            if (!config.index_notes || !hasNotes(agent.workspaceDir)) continue;
            const indexer = await notes();
            const changed = indexer.changed(agent.workspaceDir);
            if (changed.length > 0) await indexer.index(agent.id, changed);
          }
          await purge();
        })().catch((error: unknown) => ctx.log.error("memory's start-up work failed", { error: errorMessage(error) }));
      };
      const purge = async () => {
        if (!(await hasFacts())) return;
        const purged = await (await runtime()).memory.purgeForgotten(Date.now() - config.purge_after_days * DAY_MS);
        if (purged > 0) ctx.log.info("purged forgotten facts", { facts: purged, afterDays: config.purge_after_days });
      };
      const timer = setInterval(() => void purge().catch((error: unknown) => ctx.log.warn("purging forgotten facts failed", { error: errorMessage(error) })), DAY_MS);
      timer.unref();
      ctx.onDispose(() => clearInterval(timer));
      ctx.onReady(background);
      // The notes are watched from the start, whatever [memory] index_notes says now (turning it on
      // applies without a restart): a watch added once the kernel runs would restart the shared
      // watcher while other plugins' files may be changing.
      for (const agent of agents()) {
        ctx.watch(join(agent.workspaceDir, NOTES_DIR), async (paths) => (config.index_notes ? (await notes()).index(agent.id, paths) : undefined));
      }
    }

    /** Whether a facts table exists: a kernel with no memory yet never loads LanceDB for housekeeping. */
    async function hasFacts(): Promise<boolean> {
      return existsSync(join(memoryDir, "facts.lance"));
    }
    /** Whether an agent has a notes directory, or had notes indexed: else the notes code is not loaded. */
    function hasNotes(workspaceDir: string): boolean {
      return existsSync(join(workspaceDir, NOTES_DIR)) || existsSync(join(memoryDir, "notes-index.json"));
    }
  },
});

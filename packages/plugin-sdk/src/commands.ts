import type { ConfigIssue } from "./events.js";
import type { PluginInfo, PluginSource } from "./manifest.js";
import type { ServiceRef } from "./service-ref.js";
import type { Disposable } from "./disposable.js";

/*
 * Commands a plugin brings to the `aleph` CLI. The manifest declares them (`[[commands]]`), so
 * `aleph --help`, `aleph <command> --help` and every usage error work without importing plugin
 * code; the plugin's definition implements them (`commands: { "sessions show": handler }`).
 */

/** The value types an option may take; integer and number are checked (and ranged) before the handler runs. */
export type CommandOptionType = "string" | "integer" | "number" | "boolean";

/** A positional argument, in the order the user types them. */
export interface CommandArgDeclaration {
  name: string;
  summary?: string;
  required: boolean;
  /** Takes every remaining positional (the last argument only). */
  variadic: boolean;
}

/** An option `--name` (`-x` when `short` is set). */
export interface CommandOptionDeclaration {
  name: string;
  type: CommandOptionType;
  summary?: string;
  short?: string;
  /** The placeholder shown in help (`--limit <N>`). */
  value?: string;
  default?: string | number | boolean;
  /** Inclusive bounds for integer and number options. */
  min?: number;
  max?: number;
  /** The only values a string option accepts. */
  choices?: string[];
  required: boolean;
}

/** One `[[commands]]` entry of a manifest, validated. */
export interface CommandDeclaration {
  /** The words after `aleph`: "sessions show". */
  name: string;
  summary: string;
  /** More help: details and examples, printed by `aleph <command> --help`. */
  details?: string;
  args: CommandArgDeclaration[];
  options: CommandOptionDeclaration[];
  /**
   * Services the handler calls besides its own plugin's: a command run without a running kernel
   * starts only its plugin, the providers of these services, and what they require.
   */
  services: string[];
  /**
   * The handler needs every plugin (`all_plugins = true`: `aleph tools list` lists what all of them
   * registered): a kernel started for it loads every plugin that is not a daemon.
   */
  allPlugins: boolean;
}

/** An option's value after checking: numbers for integer/number options, true/false for boolean ones. */
export type CommandValue = string | number | boolean;

/** Methods of a service as a caller across a process boundary sees them: every result is a promise. */
export type ServiceCaller<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** One bus event as it reaches a subscriber outside the kernel. */
export interface KernelEvent {
  event: string;
  payload: unknown;
}

/** A service as `aleph services list` shows it: who provides it and which provider is bound. */
export interface ServiceInfoView {
  id: string;
  /** The plugin whose implementation callers get. */
  boundTo: string;
  providers: { plugin: string; priority: number; source: PluginSource }[];
}

/** What a config reload did: applied (and which sections changed), or refused with the problems found. */
export interface ConfigReloadResult {
  applied: boolean;
  sections: string[];
  issues: ConfigIssue[];
}

/** What `status()` answers: the kernel's plugins and bound services. */
export interface KernelStatusView {
  pid: number;
  root: string;
  startedAt: string;
  uptimeMs: number;
  plugins: PluginInfo[];
  services: ServiceInfoView[];
}

export interface CallOptions {
  /** Aborts the call: a remote kernel is told to stop it, a stream ends. */
  signal?: AbortSignal;
}

/**
 * The one way a command (or any client) reaches plugin state: the running kernel over its control
 * socket (`remote`), or a kernel started in this process with only the plugins the command needs
 * (`in-process`). Arguments and results travel as JSON in both, so a handler behaves the same.
 */
export interface KernelHandle {
  readonly mode: "remote" | "in-process";
  /** A typed caller of a service's methods: `await kernel.service(sessionsRef).list({ limit: 5 })`. */
  service<T>(ref: ServiceRef<T> | string): ServiceCaller<T>;
  /** Calls one method by name (what `aleph services call` does). */
  call(service: string, method: string, args?: unknown[], options?: CallOptions): Promise<unknown>;
  /** Calls a method that returns an async iterable and yields its items as they come. */
  stream(service: string, method: string, args?: unknown[], options?: CallOptions): AsyncIterable<unknown>;
  /** The bus's events from now on, optionally only those whose name starts with `prefix`, until `signal` aborts. */
  events(options?: { prefix?: string; signal?: AbortSignal }): AsyncIterable<KernelEvent>;
  /** Emits an event on the bus, as the CLI. */
  emit(event: string, payload?: unknown): Promise<void>;
  status(): Promise<KernelStatusView>;
  /** Makes the kernel read config.toml and providers.toml now (a command that edited them wants the change in force). */
  reloadConfig(): Promise<ConfigReloadResult>;
}

/** What a command handler receives: its checked input, its output streams and the kernel handle. */
export interface CommandInput {
  /** The command's words ("sessions show"). */
  readonly name: string;
  /** Positional arguments by declared name; a variadic one is an array. */
  readonly args: Readonly<Record<string, string | string[] | undefined>>;
  /** Options by declared name, checked and converted, defaults applied. */
  readonly options: Readonly<Record<string, CommandValue | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Standard input, for commands that read a value from it (`-`). */
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The state root and its files, as the CLI resolved them. */
  readonly paths: { readonly root: string; readonly configFile: string; readonly workspace: string };
  readonly kernel: KernelHandle;
  /**
   * Aborted on Ctrl-C. Calls made through `kernel` are cancelled with it already; pass it to your
   * own waits (fetch, timers). A handler still running 3 s after it aborts is abandoned (exit 130).
   */
  readonly signal: AbortSignal;
  /**
   * Makes this command's kernel the root's kernel while it runs, as `aleph start` would: without a
   * running kernel, every plugin is started here (daemons too), files are watched and the control
   * socket is served, so other commands reach it meanwhile. With a running kernel it does nothing
   * (the command uses that one). Call it before the first kernel call (a long conversation).
   */
  foreground(): Promise<void>;
  /**
   * While registered, Ctrl-C calls `handler` instead of cancelling the command (a conversation
   * stops its running turn and goes on). Dispose to give Ctrl-C back.
   */
  interrupts(handler: () => void): Disposable;
}

/** Implements a declared command; returns the exit code (0 when it returns nothing). */
export type CommandHandler = (input: CommandInput) => number | void | Promise<number | void>;

/**
 * Thrown by a handler for a usage mistake the declaration could not express ("give --role or
 * --json-content"): the CLI prints it with a pointer to `--help` and exits 2. Matched by name, so a
 * plugin that bundles its own SDK copy is understood too.
 */
export class CommandUsageError extends Error {
  override readonly name = "CommandUsageError";
}

/** True for a CommandUsageError from any copy of the SDK. */
export function isCommandUsageError(error: unknown): error is CommandUsageError {
  return error instanceof Error && error.name === "CommandUsageError";
}

/** The kernel's own command words: no plugin may declare a command starting with one. */
export const RESERVED_COMMAND_WORDS = ["start", "status", "plugins", "config", "doctor", "init", "keys", "help", "services", "events"] as const;

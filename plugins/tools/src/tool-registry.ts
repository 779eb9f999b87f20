import { Validator, type OutputUnit } from "@cfworker/json-schema";
import { AlephError, compareStrings, errorMessage, isAlephError, toDisposable, type Disposable, type ToolCallContext, type ToolDefinition, type ToolInfo, type ToolsService } from "@aleph/plugin-sdk";

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

interface Entry {
  tool: ToolDefinition;
  plugin: string;
  /** Stops at the first violation: the check on every call. */
  validator: Validator;
  /** Walks everything: only to explain a rejection with every violation. */
  explainer: Validator;
}

/** One line per schema violation: where in the arguments, and what is wrong. */
function describeViolations(errors: OutputUnit[]): string {
  // The validator reports each failing keyword up the tree; the leaves say what is actually wrong.
  const leaves = errors.filter((e) => !errors.some((other) => other !== e && other.instanceLocation.startsWith(e.instanceLocation + "/")));
  return (leaves.length > 0 ? leaves : errors).map((e) => `${e.instanceLocation.replace(/^#/, "args") || "args"}: ${e.error}`).join("; ");
}

/**
 * The registry behind the `tools` service. A tool's arguments are validated against its JSON
 * Schema (draft 2020-12) before its handler runs, so handlers — Node or WASM — only ever see
 * arguments of the declared shape.
 */
export function createToolRegistry(): ToolsService {
  const tools = new Map<string, Entry>();
  /** Work that will register more tools (see `pending`); each leaves the set when it settles. */
  const coming = new Set<Promise<unknown>>();

  return {
    register(tool: ToolDefinition, plugin: string): Disposable {
      if (!TOOL_NAME.test(tool.name)) {
        throw new AlephError("ALEPH_E_TOOL", `tool name "${tool.name}" (from plugin "${plugin}") is not lowercase snake_case`, { fix: `use a name matching ${TOOL_NAME}` });
      }
      const existing = tools.get(tool.name);
      if (existing) {
        throw new AlephError("ALEPH_E_TOOL", `tool "${tool.name}" is already registered by plugin "${existing.plugin}"`, { fix: "give the tool another name" });
      }
      if (!tool.description?.trim()) throw new AlephError("ALEPH_E_TOOL", `tool "${tool.name}" has no description`, { fix: "describe what the tool does: agents choose tools by it" });
      if (tool.parameters?.type !== "object") {
        throw new AlephError("ALEPH_E_TOOL", `tool "${tool.name}": parameters must be a JSON Schema of type "object"`, { fix: 'e.g. { type: "object", properties: { text: { type: "string" } } }' });
      }
      let validator: Validator;
      let explainer: Validator;
      try {
        validator = new Validator(tool.parameters as never, "2020-12", true);
        explainer = new Validator(tool.parameters as never, "2020-12", false);
      } catch (error) {
        throw new AlephError("ALEPH_E_TOOL", `tool "${tool.name}": parameters is not a usable JSON Schema: ${errorMessage(error)}`);
      }
      const entry: Entry = { tool, plugin, validator, explainer };
      tools.set(tool.name, entry);
      return toDisposable(() => {
        if (tools.get(tool.name) === entry) tools.delete(tool.name);
      });
    },

    list(): ToolInfo[] {
      return [...tools.values()]
        .map(({ tool, plugin }) => ({ name: tool.name, description: tool.description, parameters: tool.parameters, plugin }))
        .sort((a, b) => compareStrings(a.name, b.name));
    },

    pending(work: Promise<unknown>): void {
      const entry = work.then(
        () => void coming.delete(entry),
        () => void coming.delete(entry),
      );
      coming.add(entry);
    },

    settled(timeoutMs: number): Promise<void> {
      if (coming.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        // Not unref'd: a turn awaits this, and the timer is what ends the wait when work hangs.
        const timer = setTimeout(resolve, timeoutMs);
        void Promise.allSettled([...coming]).then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },

    // Not async: a tool call is on the agent's hot path, and each await is a microtask hop.
    call(name: string, args: unknown, context: ToolCallContext = {}): Promise<unknown> {
      const entry = tools.get(name);
      if (!entry) {
        return Promise.reject(
          new AlephError("ALEPH_E_TOOL", `no tool named "${name}"${tools.size > 0 ? ` (registered: ${[...tools.keys()].sort().join(", ")})` : ""}`, {
            fix: "run `aleph tools list` to see the registered tools",
          }),
        );
      }
      if (!entry.validator.validate(args ?? {}).valid) {
        const { errors } = entry.explainer.validate(args ?? {});
        return Promise.reject(
          new AlephError("ALEPH_E_TOOL_ARGS", `arguments of tool "${name}" do not match its schema: ${describeViolations(errors)}`, {
            fix: `pass arguments matching ${JSON.stringify(entry.tool.parameters)}`,
          }),
        );
      }
      const wrap = (error: unknown): unknown =>
        isAlephError(error) ? error : new AlephError("ALEPH_E_TOOL", `tool "${name}" (plugin "${entry.plugin}") failed: ${errorMessage(error)}`, { cause: error });
      try {
        if (context.signal?.aborted) return Promise.reject(new AlephError("ALEPH_E_CANCELLED", `tool "${name}" was not run: the call was cancelled`));
        // A signal does not survive JSON: a remote caller's context arrives without a usable one.
        const { signal, ...who } = context;
        const result = entry.tool.handler(args ?? {}, { ...who, ...(signal instanceof AbortSignal ? { signal } : {}) });
        if (typeof (result as PromiseLike<unknown> | undefined)?.then !== "function") return Promise.resolve(result);
        return Promise.resolve(result).then(undefined, (error: unknown) => {
          throw wrap(error);
        });
      } catch (error) {
        return Promise.reject(wrap(error));
      }
    },
  };
}

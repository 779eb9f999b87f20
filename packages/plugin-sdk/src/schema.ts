/**
 * The Standard Schema interface (standardschema.dev), implemented by zod 4, valibot and arktype.
 * A plugin's config schema may come from any of them, and from its own copy of the library.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardIssue> };

export type InferOutput<S> = S extends StandardSchemaV1<unknown, infer O> ? O : Record<string, unknown>;

/** Dotted path of a standard issue, e.g. "limits.max". */
export function issuePath(issue: StandardIssue): string {
  return (issue.path ?? [])
    .map((part) => (typeof part === "object" && part !== null && "key" in part ? part.key : part))
    .map(String)
    .join(".");
}

/** Validates with any Standard Schema; returns the parsed value or the issues. */
export async function validateWithSchema<O>(
  schema: StandardSchemaV1<unknown, O>,
  value: unknown,
): Promise<{ ok: true; value: O } | { ok: false; issues: { path: string; message: string }[] }> {
  const result = await schema["~standard"].validate(value);
  if (result.issues) {
    return { ok: false, issues: result.issues.map((issue) => ({ path: issuePath(issue), message: issue.message })) };
  }
  return { ok: true, value: result.value };
}

import { describeError } from "../rpc/errors.js";

export interface FailureFields {
  code?: string;
  message: string;
  fix?: string;
}

/** A failure as the page shows it everywhere: the Aleph code, the message, and the fix. */
export function FailureNotice({ code, message, fix, title }: FailureFields & { title?: string }) {
  return (
    <div class="notice error" role="alert">
      <p>
        {title && <strong>{title}: </strong>}
        {code && <code class="code">{code}</code>} {message}
      </p>
      {fix && (
        <p class="fix">
          <span class="fix-label">fix:</span> {fix}
        </p>
      )}
    </div>
  );
}

/** A call that failed (an RpcError, a lost connection). */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  return <FailureNotice {...describeError(error)} title={title} />;
}

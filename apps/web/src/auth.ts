/*
 * Logging in to the gateway (docs/gateway.md, Authentication): the token is POSTed once as JSON
 * to /auth and answered with an HttpOnly, SameSite=Strict cookie the page never sees — the token is
 * never kept (no localStorage, no URL). The WebSocket then opens with that cookie.
 * URLs are relative to the page, so a gateway behind a path prefix works too.
 */

export class AuthError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fix?: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

const url = (path: string) => new URL(path, document.baseURI).toString();

async function errorOf(response: Response, fallback: string): Promise<AuthError> {
  let message = fallback;
  let fix: string | undefined;
  try {
    const body = (await response.json()) as { error?: { message?: unknown; fix?: unknown } | string; message?: unknown; fix?: unknown };
    const error = typeof body.error === "object" && body.error !== null ? body.error : body;
    if (typeof error.message === "string") message = error.message;
    else if (typeof body.error === "string") message = body.error;
    if (typeof error.fix === "string") fix = error.fix;
  } catch {
    // not JSON: the fallback says what happened
  }
  return new AuthError(message, response.status, fix);
}

export interface AuthState {
  /** The browser's cookie (or a gateway without auth) lets the page in. */
  authenticated: boolean;
  /** False when the gateway runs with require_auth = false: there is nothing to log out of. */
  required: boolean;
}

/** GET /auth. */
export async function checkAuth(): Promise<AuthState> {
  const response = await fetch(url("auth"), { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw await errorOf(response, `the gateway answered GET /auth with HTTP ${response.status}`);
  const body = (await response.json()) as { authenticated?: unknown; required?: unknown };
  return { authenticated: body.authenticated === true, required: body.required !== false };
}

/** POST /auth {token}: sets the session cookie, or throws an AuthError saying why not. */
export async function login(token: string): Promise<void> {
  const response = await fetch(url("auth"), {
    method: "POST",
    credentials: "same-origin",
    cache: "no-store",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (response.ok) return;
  if (response.status === 401) {
    const error = await errorOf(response, "That is not the gateway's token.");
    throw new AuthError("That is not the gateway's token.", 401, error.fix ?? "run `aleph gateway token` on the machine running aleph and paste what it prints");
  }
  throw await errorOf(response, `the gateway refused the login (HTTP ${response.status})`);
}

/** POST /logout: clears the cookie. */
export async function logout(): Promise<void> {
  await fetch(url("logout"), { method: "POST", credentials: "same-origin", cache: "no-store" });
}

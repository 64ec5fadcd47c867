/**
 * One JSON POST to a notification endpoint (Slack incoming webhook, a team's own receiver), with
 * a timeout, and a verdict on failures: worth retrying or not.
 */

export const DEFAULT_POST_TIMEOUT_MS = 10_000;

/**
 * The endpoint answered with a non-2xx status. Shaped like an Octokit error (`status`,
 * `response.headers`) so that the outbox worker honours a `Retry-After` on 429.
 */
export class NotificationHttpError extends Error {
  readonly response: { headers: Record<string, string> };
  constructor(
    readonly status: number,
    headers: Record<string, string>,
    body: string,
  ) {
    super(`endpoint answered HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ""}`);
    this.name = "NotificationHttpError";
    this.response = { headers };
  }

  /** 408, 429 and 5xx may pass; a redirect or any other 4xx means the URL is wrong for good. */
  get retryable(): boolean {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** The request did not get an answer (DNS, refused connection, TLS, timeout). Always retryable. */
export class NotificationNetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NotificationNetworkError";
  }
}

export interface PostJsonOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** POSTs `body` (already serialised, so that a signature covers the exact bytes sent). */
export async function postJson(
  url: string,
  body: string,
  options: PostJsonOptions = {},
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body,
      // A redirect is answered as a failure (not retried): the configured URL should be fixed.
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_POST_TIMEOUT_MS),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === "TimeoutError"
        ? `no answer within ${options.timeoutMs ?? DEFAULT_POST_TIMEOUT_MS} ms`
        : error instanceof Error
          ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`
          : String(error);
    throw new NotificationNetworkError(`POST ${redactUrl(url)} failed: ${reason}`, {
      cause: error,
    });
  }
  // Read the body either way so that the connection can be reused.
  const text = await response.text().catch(() => "");
  if (response.ok) return;
  const headers: Record<string, string> = {};
  const retryAfter = response.headers.get("retry-after");
  if (retryAfter) headers["retry-after"] = retryAfter;
  throw new NotificationHttpError(response.status, headers, text);
}

/** Webhook URLs carry their secret in the path (Slack): logs and errors show the host only. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(invalid URL)";
  }
}

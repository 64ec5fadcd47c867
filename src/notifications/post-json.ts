import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { PrivateAddressError } from "./url-guard.js";

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
  /**
   * Resolves the host for the connection (node's `lookup` signature); the address it gives is
   * the one connected to. The URL guard's lookup checks that address (see guardedLookup).
   */
  lookup?: LookupFunction;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request over node:http(s), whose `lookup` decides the address connected to. */
function send(url: URL, body: string, options: PostJsonOptions, timeoutMs: number) {
  return new Promise<Answer>((resolve, reject) => {
    // Looked up at call time (not a named import), so that a test's interceptor sees the call.
    const request = (url.protocol === "https:" ? https.request : http.request)(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          ...options.headers,
        },
        ...(options.lookup ? { lookup: options.lookup } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          // Only the start of an error body is shown; the rest is read and dropped.
          if (size < 4096) chunks.push(chunk);
          size += chunk.length;
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      error.name = "TimeoutError";
      request.destroy(error);
    }, timeoutMs);
    request.on("error", reject);
    request.on("close", () => clearTimeout(timer));
    request.end(body);
  });
}

/** POSTs `body` (already serialised, so that a signature covers the exact bytes sent). */
export async function postJson(
  url: string,
  body: string,
  options: PostJsonOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_POST_TIMEOUT_MS;
  let answer: Answer;
  try {
    // Redirects are not followed: a 3xx is answered as a failure, the URL should be fixed.
    answer = await send(new URL(url), body, options, timeoutMs);
  } catch (error) {
    // The guard's verdict passes as it is: a private address is not worth retrying.
    if (error instanceof PrivateAddressError) throw error;
    const reason =
      error instanceof Error && error.name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : error instanceof Error
          ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`
          : String(error);
    throw new NotificationNetworkError(`POST ${redactUrl(url)} failed: ${reason}`, {
      cause: error,
    });
  }
  if (answer.status >= 200 && answer.status < 300) return;
  const headers: Record<string, string> = {};
  const retryAfter = answer.headers["retry-after"];
  if (typeof retryAfter === "string" && retryAfter) headers["retry-after"] = retryAfter;
  throw new NotificationHttpError(answer.status, headers, answer.text);
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

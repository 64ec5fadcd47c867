import type { EnvelopeHeader } from "./envelope.js";

export interface DsnKey {
  publicKey: string;
  /** Last path segment of the DSN (`/42` -> "42"); absent when the DSN has no path. */
  projectId?: string;
}

/**
 * Reads the public key and project id from a self-authenticating envelope's `dsn` header:
 * `https://<key>[:<secret>]@host[/prefix]/<project>`. Returns undefined when there is no usable
 * DSN, so the route falls back to (or compares with) X-Sentry-Auth and the URL.
 */
export function dsnKeyFromEnvelopeHeader(
  header: EnvelopeHeader | Record<string, unknown> | undefined,
): DsnKey | undefined {
  const dsn = header?.dsn;
  if (typeof dsn !== "string" || dsn.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return undefined;
  }
  const publicKey = safeDecode(url.username);
  if (!publicKey) return undefined;
  const projectId = url.pathname
    .split("/")
    .filter((s) => s !== "")
    .pop();
  return projectId === undefined ? { publicKey } : { publicKey, projectId: safeDecode(projectId) };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

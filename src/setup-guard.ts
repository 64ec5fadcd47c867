import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * Who may use Probot's setup flow (`/probot`, `/probot/setup`, `POST /probot/import`), which
 * writes the App's id, private key and webhook secret into `.env`: anyone reaching it could
 * otherwise install their own App's credentials. Served only
 * - to a direct loopback connection (the operator's own browser on the machine; a request that
 *   came through a proxy, which carries X-Forwarded-For or Forwarded, does not count), or
 * - with the one-time token printed in the log at start (`/probot?setup_token=…`), kept in a
 *   cookie for the rest of the flow (GitHub's redirect back to `/probot/setup` included),
 * and never once credentials exist (the flow has just written them, or they were set by hand).
 */
export interface SetupGuard {
  token: string;
  /** True once APP_ID and a private key are known: setup is over. */
  credentialsExist: () => boolean;
}

export const SETUP_COOKIE = "faultline_setup";
const SETUP_PATH = /^\/(?:probot(?:\/.*)?)?$/s;
/** The setup page's styles and logo: public files, served in every mode. */
const STATIC_PATH = /^\/probot\/static\/[^/]*$/;

export function isSetupPath(path: string): boolean {
  return SETUP_PATH.test(path) && !STATIC_PATH.test(path);
}

export type SetupVerdict = "closed" | "forbidden" | { allowed: true; setCookie?: string };

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || /^(?:::ffff:)?127\./.test(address);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

export function judgeSetupRequest(req: IncomingMessage, guard: SetupGuard): SetupVerdict {
  if (guard.credentialsExist()) return "closed";
  const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
  const fromQuery = query.get("setup_token");
  if (fromQuery && sameSecret(fromQuery, guard.token)) {
    return {
      allowed: true,
      setCookie: `${SETUP_COOKIE}=${guard.token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600`,
    };
  }
  const fromCookie = cookieValue(req.headers.cookie, SETUP_COOKIE);
  if (fromCookie && sameSecret(fromCookie, guard.token)) return { allowed: true };
  const proxied =
    req.headers["x-forwarded-for"] !== undefined || req.headers.forwarded !== undefined;
  if (!proxied && isLoopback(req.socket.remoteAddress)) return { allowed: true };
  return "forbidden";
}

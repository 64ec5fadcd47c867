/**
 * URL patterns: `/api/pets/123/` and `/api/pets/456/` are one route, so ids in the path become
 * `{id}`. Only the path is kept: host, query and fragment say nothing about which route failed.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_ID = /^(?=[0-9a-f]*\d)[0-9a-f]{8,}$/i;
const NUMBER = /^\d+$/;

/** Long random-looking tokens (JWTs, API keys, base64 ids): long, mixed letters and digits. */
function isOpaqueToken(segment: string): boolean {
  if (segment.length < 16 || !/^[\w~.=+%-]+$/.test(segment) || !/\d/.test(segment)) return false;
  const mixedCase = /[a-z]/.test(segment) && /[A-Z]/.test(segment);
  const digits = segment.replace(/\D/g, "").length;
  return mixedCase || digits >= 4;
}

function isId(segment: string): boolean {
  return (
    NUMBER.test(segment) ||
    UUID.test(segment) ||
    HEX_ID.test(segment) ||
    segment.includes("@") ||
    isOpaqueToken(segment)
  );
}

export function urlPattern(url: string): string {
  if (typeof url !== "string") return "/";
  let path = url.trim().slice(0, 4000);
  path = path.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "").replace(/^\/\/[^/?#]*/, "");
  path = path.replace(/[?#].*$/, "");
  if (!path.startsWith("/")) path = `/${path}`;
  const pattern = path
    .split("/")
    .map((segment) => (segment !== "" && isId(segment) ? "{id}" : segment))
    .join("/");
  return pattern.slice(0, 500);
}

/** The path of a request URL, absolute (`https://h/a?b`) or not (`/a?b`); undefined if none. */
export function requestPath(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, "http://path.invalid").pathname;
  } catch {
    return undefined;
  }
}

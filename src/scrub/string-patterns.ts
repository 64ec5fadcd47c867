import { scrubCreditCards } from "./credit-cards.js";
import { type ExtraPattern, applyExtraPatterns } from "./extra-patterns.js";
import { FILTERED } from "./filtered.js";
import { scrubIpAddresses } from "./ip-addresses.js";
import { escapeRegExp, normalizeKey, sensitiveTerms } from "./sensitive-keys.js";

// Patterns that open with a repeatable character class start behind a negative lookbehind on
// that class, so a long run of such characters is entered once, not at every offset: the
// regexes stay linear on the megabyte-long strings a hostile client can send (see the
// "hostile strings" tests).

/**
 * PEM private keys (RSA, EC, OpenSSH, PKCS#8, PGP), up to END or, for a block cut off, to the
 * last character that can be in one: base64, whitespace, escaped `\n`, `Proc-Type:` headers,
 * `...` where a logger shortened it.
 * The body is not `[\s\S]*?`: that rescans to the end of the string for every BEGIN.
 */
const PEM_PRIVATE_KEY =
  /-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=.\s\\:,-]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?![A-Za-z0-9+/=.\s\\:,-]))/g;

/**
 * `scheme://user:pass@host` -> `scheme://[Filtered]@host`; a lone user part is often a token.
 * Userinfo cannot hold `[` or `]` (RFC 3986), which also keeps "[Filtered]" from matching again.
 */
const URL_USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@[\]]+@/gi;

/** A cookie header as text: the whole rest of the line is cookies, not just the first pair. */
const COOKIE_LINE =
  /(?<![\w-])((?:set-)?cookie["']?[ \t]*:[ \t]*["']?)(?![ \t]|\[Filtered)[^\r\n"']+/gi;

/** Labelled AWS secret keys, also spellings the key/value rule misses (`aws secret key: …`). */
const AWS_SECRET_KEY =
  /(?<![a-z0-9])(aws[ _-]?secret[ _-]?(?:access[ _-]?)?key["']?[ \t]*[:=]>?[ \t]*["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi;

/** JSON Web Tokens: base64url `{"` header and payload, then the signature (empty for alg none). */
const JWT = /(?<![\w-])eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/g;

/**
 * `Bearer <token>` keeps the word. The token must be 8+ characters so prose ("the bearer of
 * bad news") survives; real tokens are far longer.
 */
const BEARER = /(?<![\w-])((?:Bearer|bearer|BEARER)[ \t]+)[\w\-.~+/]{8,}=*/g;

/** AWS access key ids: long-term (AKIA) and temporary (ASIA). */
const AWS_ACCESS_KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;

/**
 * Tokens of well-known services, recognised by their prefixes: GitHub (`ghp_`, `gho_`, `ghu_`,
 * `ghs_`, `ghr_`, fine-grained `github_pat_`), Stripe secret and restricted keys (`sk_live_`,
 * `rk_live_`, and `_test_`), Slack (`xoxb-`, `xoxp-`, … and incoming-webhook URLs) and Google API
 * keys (`AIza` + 35). Each alternative opens with a literal and has no condition after its run,
 * so a start either fails within a few characters or matches: linear on any text.
 */
const SERVICE_TOKEN =
  /(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,}|[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|xox[a-z]-[A-Za-z0-9-]{10,}|AIza[\w-]{35})|hooks\.slack\.com\/services\/[\w/]+/g;

/** True when SERVICE_TOKEN may match: a few literal searches cost less than the regex scan. */
function mayHoldServiceToken(s: string): boolean {
  return (
    s.includes("gh") ||
    s.includes("github_pat_") ||
    s.includes("k_live_") ||
    s.includes("k_test_") ||
    s.includes("xox") ||
    s.includes("AIza") ||
    s.includes("hooks.slack.com")
  );
}

/** Words without which COOKIE_LINE and AWS_SECRET_KEY cannot match (no `g`: no lastIndex). */
const HAS_COOKIE = /cookie/i;
const HAS_AWS = /aws/i;

/** Auth schemes that stay in front of a filtered `Authorization: <scheme> <credentials>`. */
const SCHEMES = "(?:basic|bearer|digest|negotiate|token)";
const AUTH_SCHEME = new RegExp(`^${SCHEMES}[ \\t]+$`, "i");

/**
 * `key=value`, `key => value`, `key: value` and `"key": "value"` where the key is sensitive.
 * Built per scrubber because extraKeys join the key alternation. Putting the sensitive terms in
 * the regex (rather than matching any key and checking it afterwards) matters: a non-sensitive
 * key must not swallow its value, or `?next=/login?token=abc` would hide the token from the scan.
 * `key:value` without a space is not a pair, so `auth.js:10:5` in a stack trace is left alone.
 *
 * `hasTerm` is the term alternation alone: the pair regex cannot match where it does not, and
 * without lookarounds at every offset it costs a fraction of a pair scan, so the scan runs only
 * on the few strings (of the many URLs, timestamps and stack lines with `=` or `:`) that need it.
 */
export function keyValuePatterns(extraKeys: readonly string[]): {
  keyValue: RegExp;
  hasTerm: RegExp;
} {
  // Same folding as object keys: `-`, `_` and `.` may appear between any two letters.
  const terms = sensitiveTerms(extraKeys)
    .map((term) => [...term].map(escapeRegExp).join("[-_.]?"))
    .join("|");
  // A lookahead finds a term inside the key, then the key is taken whole through a captured
  // lookahead (an atomic group): a plain `[\w.-]*?term[\w.-]*` would rescan the rest of the run
  // for every term occurrence, which is quadratic on `tokentoken…`.
  const key = `(?=[\\w.-]*?(?:${terms}))(?=([\\w.-]+))\\1`;
  const separator = `(?:["']?[ \\t]*=>?|["']?[ \\t]*:(?=[ \\t])|["'][ \\t]*:)[ \\t]*`;
  const scheme = `(?:${SCHEMES}[ \\t]+)?`;
  // An unquoted value stops at an earlier pass's "[Filtered]", so it cannot swallow what follows.
  const value = `"(?:[^"\\\\\\r\\n]|\\\\.)*"|'(?:[^'\\\\\\r\\n]|\\\\.)*'|["']?(?:(?!\\[Filtered)[^\\s&;,"'<>])+`;
  // Nor may it be the scheme of an already filtered `Bearer [Filtered]`.
  const notFilteredScheme = `(?!${SCHEMES}[ \\t]+["']?\\[Filtered)`;
  return {
    keyValue: new RegExp(
      `(?<![\\w.-])${key}(${separator})(${scheme})${notFilteredScheme}(${value})`,
      "gi",
    ),
    // The same `i` folding as the pair regex by construction (a lower-cased copy and includes()
    // would not be, and measured slower). No `g`: `test` then keeps no lastIndex.
    hasTerm: new RegExp(terms, "i"),
  };
}

/** `TokenExpiredError: jwt expired` is an error name and its message, not a secret pair. */
function isErrorName(key: string): boolean {
  return /(?:error|exception)$/.test(normalizeKey(key));
}

function replaceKeyValue(
  match: string,
  key: string,
  separator: string,
  scheme: string,
  value: string,
): string {
  if (isErrorName(key)) return match;
  const quote = value[0] === '"' || value[0] === "'" ? value[0] : "";
  const inner = quote === "" ? value : value.slice(1);
  if (inner.startsWith("[Filtered")) return match;
  const closing = quote !== "" && value.length > 1 && value.endsWith(quote) ? quote : "";
  // Keep the scheme only for Authorization-like keys; elsewhere `password=token abc` means the
  // password is "token", so it goes with the rest.
  const keptScheme = AUTH_SCHEME.test(scheme) && normalizeKey(key).includes("auth") ? scheme : "";
  const filtered = keptScheme === "" && scheme !== "" ? FILTERED : `${quote}${FILTERED}${closing}`;
  return `${key}${separator}${keptScheme}${filtered}`;
}

export interface StringScrubberOptions {
  extraKeys: readonly string[];
  extraPatterns: readonly ExtraPattern[];
  scrubIpAddresses: boolean;
}

/** Returns the string scrubber for one repo config; all regexes are compiled here, once. */
export function createStringScrubber(options: StringScrubberOptions): (s: string) => string {
  const { keyValue, hasTerm } = keyValuePatterns(options.extraKeys);
  const { extraPatterns, scrubIpAddresses: scrubIps } = options;
  return (s) => {
    // Repo patterns and cards first: a replacement ends in `]`, which opens a word boundary for
    // the passes after it (`1111Bearer x`); running those on the replaced text keeps scrubbing
    // idempotent.
    const early = extraPatterns.length > 0 ? applyExtraPatterns(s, extraPatterns) : s;
    let out = scrubCreditCards(early);
    // Each pass runs only when the text holds what its regex cannot match without (checked on
    // the text as the passes before left it): most strings are code names and paths that
    // hold none, and a literal search costs far less than a regex scan.
    if (out.includes("-----BEGIN")) out = out.replace(PEM_PRIVATE_KEY, FILTERED);
    if (out.includes("://") && out.includes("@")) {
      out = out.replace(URL_USERINFO, `$1${FILTERED}@`);
    }
    if (HAS_COOKIE.test(out)) out = out.replace(COOKIE_LINE, `$1${FILTERED}`);
    if (HAS_AWS.test(out)) out = out.replace(AWS_SECRET_KEY, `$1${FILTERED}`);
    // Every separator of a pair holds `=` or `:`, and every pair's key a sensitive term.
    if ((out.includes("=") || out.includes(":")) && hasTerm.test(out)) {
      out = out.replace(keyValue, replaceKeyValue);
    }
    if (out.includes("eyJ")) out = out.replace(JWT, FILTERED);
    if (out.includes("earer") || out.includes("EARER")) out = out.replace(BEARER, `$1${FILTERED}`);
    if (out.includes("AKIA") || out.includes("ASIA"))
      out = out.replace(AWS_ACCESS_KEY_ID, FILTERED);
    if (mayHoldServiceToken(out)) out = out.replace(SERVICE_TOKEN, FILTERED);
    if (scrubIps) out = scrubIpAddresses(out);
    return out;
  };
}

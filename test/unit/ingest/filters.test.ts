import { describe, expect, it } from "vitest";
import { type RepoConfig, parseRepoConfig } from "../../../src/config/repo-config.js";
import type { ErrorEvent } from "../../../src/grouping/index.js";
import {
  eventUserAgent,
  inboundFilterReason,
  isBrowserExtensionError,
  isCrawlerUserAgent,
  requestPath,
} from "../../../src/ingest/admission/index.js";

const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";

function event(overrides: Partial<ErrorEvent> = {}): ErrorEvent {
  return {
    eventId: "a".repeat(32),
    timestamp: new Date("2026-11-23T12:00:00Z"),
    level: "error",
    errorType: "TypeError",
    message: "x is undefined",
    frames: [{ filename: "https://shop.example.com/static/app.js", function: "render" }],
    source: "generic",
    tags: {},
    context: {},
    ...overrides,
  };
}

function config(filters: Record<string, unknown> = {}): RepoConfig {
  const parsed = parseRepoConfig({ filters });
  expect(parsed.errors).toEqual([]);
  return parsed.config;
}

const DEFAULTS = config();

describe("requestPath", () => {
  it("reads the path of absolute and relative URLs", () => {
    expect(requestPath("https://shop.example.com/health/live?x=1")).toBe("/health/live");
    expect(requestPath("/static/app.js#top")).toBe("/static/app.js");
    expect(requestPath(undefined)).toBeUndefined();
  });
});

describe("inboundFilterReason", () => {
  it("keeps an ordinary error", () => {
    const ok = event({ request: { url: "https://shop.example.com/cart", statusCode: 500 } });
    expect(inboundFilterReason(ok, DEFAULTS)).toBeUndefined();
  });

  it("drops the default excluded paths by prefix, not look-alikes", () => {
    for (const url of ["/health/", "https://h.example/static/x.css", "/media/a.png?w=3"]) {
      expect(inboundFilterReason(event({ request: { url } }), DEFAULTS)).toBe("excluded_path");
    }
    expect(inboundFilterReason(event({ request: { url: "/healthz" } }), DEFAULTS)).toBeUndefined();
  });

  it("drops paths matching a configured glob", () => {
    const cfg = config({ exclude_paths: ["/api/*/ping", "/internal/**"] });
    const reason = (url: string) => inboundFilterReason(event({ request: { url } }), cfg);
    expect(reason("/api/v1/ping")).toBe("excluded_path");
    expect(reason("/internal/a/b/c")).toBe("excluded_path");
    expect(reason("/api/v1/x/ping")).toBeUndefined();
    // The configured list replaces the defaults.
    expect(reason("/health/")).toBeUndefined();
  });

  it("drops excluded status codes", () => {
    const cfg = config({ exclude_status_codes: [404, 401] });
    const with404 = event({ request: { url: "/cart", statusCode: 404 } });
    expect(inboundFilterReason(with404, cfg)).toBe("excluded_status_code");
    expect(inboundFilterReason(with404, DEFAULTS)).toBeUndefined();
  });

  it("drops excluded environments, exactly", () => {
    const cfg = config({ exclude_environments: ["development", "test"] });
    expect(inboundFilterReason(event({ environment: "test" }), cfg)).toBe("excluded_environment");
    expect(inboundFilterReason(event({ environment: "testing" }), cfg)).toBeUndefined();
    expect(inboundFilterReason(event(), cfg)).toBeUndefined();
  });

  it("drops error types and messages matching the configured regexes", () => {
    const cfg = config({
      exclude_error_types: ["^ChunkLoadError$", "/abort/i"],
      exclude_messages: ["ResizeObserver loop", "/network\\s+error/i"],
    });
    const reason = (e: Partial<ErrorEvent>) => inboundFilterReason(event(e), cfg);
    expect(reason({ errorType: "ChunkLoadError" })).toBe("excluded_error_type");
    expect(reason({ errorType: "AbortError" })).toBe("excluded_error_type");
    expect(reason({ errorType: "MyChunkLoadError" })).toBeUndefined();
    expect(reason({ message: "ResizeObserver loop limit exceeded" })).toBe("excluded_message");
    expect(reason({ message: "Network   Error" })).toBe("excluded_message");
    expect(reason({ message: "network" })).toBeUndefined();
  });

  it("drops browser-extension noise unless turned off", () => {
    const fromExtension = event({
      frames: [
        { filename: "https://shop.example.com/static/app.js", function: "onClick" },
        { filename: "chrome-extension://abcdefgh/content.js", function: "inject" },
      ],
    });
    expect(inboundFilterReason(fromExtension, DEFAULTS)).toBe("browser_extension");
    const off = config({ ignore_browser_extensions: false });
    expect(inboundFilterReason(fromExtension, off)).toBeUndefined();
  });

  it("drops errors in known crawlers unless turned off", () => {
    const bot = event({ request: { url: "/cart", headers: { "User-Agent": GOOGLEBOT } } });
    expect(inboundFilterReason(bot, DEFAULTS)).toBe("crawler");
    expect(inboundFilterReason(bot, config({ ignore_crawlers: false }))).toBeUndefined();
    const human = event({ request: { url: "/cart", headers: { "user-agent": CHROME } } });
    expect(inboundFilterReason(human, DEFAULTS)).toBeUndefined();
  });
});

describe("isBrowserExtensionError", () => {
  it("recognises every extension scheme in the raising frame", () => {
    for (const url of [
      "chrome-extension://id/a.js",
      "moz-extension://uuid/a.js",
      "safari-extension://com.x/a.js",
      "safari-web-extension://uuid/a.js",
      "ms-browser-extension://id/a.js",
      "webkit-masked-url://hidden/",
      "resource://gre/modules/x.js",
    ]) {
      expect(isBrowserExtensionError(event({ frames: [{ absPath: url }] })), url).toBe(true);
    }
  });

  it("ignores an extension frame in the middle of the application's own stack", () => {
    const wrapped = event({
      frames: [
        { filename: "https://shop.example.com/static/app.js" },
        { filename: "chrome-extension://id/wrap-fetch.js" },
        { filename: "https://shop.example.com/static/cart.js" },
      ],
    });
    expect(isBrowserExtensionError(wrapped)).toBe(false);
  });

  it("recognises the well-known extension messages", () => {
    for (const message of [
      "Can't find variable: ZiteReader",
      "top.GLOBALS is not defined",
      "Extension context invalidated.",
      "Non-Error promise rejection captured with value: Object Not Found Matching Id:3",
    ]) {
      expect(isBrowserExtensionError(event({ message, frames: [] })), message).toBe(true);
    }
    expect(isBrowserExtensionError(event())).toBe(false);
  });
});

describe("eventUserAgent", () => {
  it("finds the user agent in headers, context (frontend route) or tags", () => {
    expect(eventUserAgent(event({ request: { headers: { "USER-AGENT": BINGBOT } } }))).toBe(
      BINGBOT,
    );
    expect(eventUserAgent(event({ context: { user_agent: GOOGLEBOT } }))).toBe(GOOGLEBOT);
    expect(eventUserAgent(event({ tags: { "browser.user_agent": CHROME } }))).toBe(CHROME);
    expect(eventUserAgent(event())).toBeUndefined();
  });
});

describe("isCrawlerUserAgent", () => {
  it.each([
    GOOGLEBOT,
    BINGBOT,
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
  ])("recognises the crawler %s", (ua) => {
    expect(isCrawlerUserAgent(ua)).toBe(true);
  });

  it.each([
    CHROME,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    "curl/8.5.0",
    "okhttp/4.12.0",
    "python-requests/2.32.3",
    "Go-http-client/2.0",
    // End-to-end tests, prerenderers and kiosks: their errors are the app's (Sentry keeps them).
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
  ])("keeps browsers, headless browsers and the app's HTTP clients: %s", (ua) => {
    expect(isCrawlerUserAgent(ua)).toBe(false);
  });
});

import { createIsbotFromList, list } from "isbot";
import type { ErrorEvent } from "../../grouping/index.js";

/**
 * isbot counts every non-browser as a bot, HTTP client libraries and headless browsers included.
 * For an error tracker those are the app's own API clients (an Android app's okhttp, a partner's
 * python-requests, a cron job's curl) and its end-to-end tests, prerenderers and kiosks (headless
 * Chrome): their errors are real. The patterns of isbot's maintained list that match any of these
 * are left out; the crawler patterns (Googlebot, bingbot, spider…) stay, as in Sentry's
 * web-crawler filter, which does not filter headless browsers either.
 */
const NOT_CRAWLERS = [
  "curl/8.5.0",
  "Wget/1.21.4",
  "python-requests/2.31.0",
  "python-urllib3/2.2.1",
  "aiohttp/3.9.5",
  "okhttp/4.12.0",
  "axios/1.7.2",
  "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
  "undici",
  "got (https://github.com/sindresorhus/got)",
  "Go-http-client/1.1",
  "Java/17.0.2",
  "Apache-HttpClient/4.5.14 (Java/17.0.2)",
  "GuzzleHttp/7",
  "Symfony HttpClient",
  "Faraday v2.7.4",
  "Ruby",
  "RestSharp/110.2.0.0",
  "Alamofire/5.8.0",
  "Dart/3.2 (dart:io)",
  "PostmanRuntime/7.36.0",
  "Electron/28",
  "Dalvik/2.1.0 (Linux; U; Android 13; Pixel 8 Build/UD1A)",
  "MyShop/2.3.0 CFNetwork/1410.0.3 Darwin/22.6.0",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
];

const crawlerPatterns = list.filter((pattern) => {
  const re = new RegExp(pattern, "i");
  return !NOT_CRAWLERS.some((client) => re.test(client));
});
const isCrawlerAgent = createIsbotFromList(crawlerPatterns);

/** True for a crawler's User-Agent; false for browsers and HTTP client libraries. */
export function isCrawlerUserAgent(userAgent: string): boolean {
  return isCrawlerAgent(userAgent);
}

/**
 * The User-Agent of the client the error happened for, wherever the report put it: the request
 * headers (Sentry SDKs), `context.user_agent` (the frontend route), or a `user_agent` tag. Not
 * the User-Agent of the ingest request itself, which is the SDK's or the reporting script's.
 */
export function eventUserAgent(event: ErrorEvent): string | undefined {
  for (const [name, value] of Object.entries(event.request?.headers ?? {})) {
    if (name.toLowerCase() === "user-agent" && value) return value;
  }
  const fromContext = event.context.user_agent ?? event.context.userAgent;
  if (typeof fromContext === "string" && fromContext) return fromContext;
  return event.tags.user_agent || event.tags["browser.user_agent"] || undefined;
}

/** True when the error happened for a known crawler (isbot's list, HTTP clients excepted). */
export function isCrawlerEvent(event: ErrorEvent): boolean {
  const userAgent = eventUserAgent(event);
  return userAgent !== undefined && isCrawlerUserAgent(userAgent);
}

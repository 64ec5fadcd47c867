import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { FastifyInstance } from "fastify";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import type { OutboxOctokit } from "../../src/github/index.js";

/** GitHub test kit: a Probot with a real key, octokits without retry, signed webhook deliveries. */

export const API = "https://api.github.com";
export const WEBHOOK_SECRET = "test-secret";

// biome-ignore lint/suspicious/noExplicitAny: example payloads are edited freely as plain JSON
export type Payload = Record<string, any>;

/** Retry and throttling off: a mocked 500 must fail at once, not after 16 s of backoff. */
export const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

export async function testOctokit(): Promise<OutboxOctokit> {
  return new TestOctokit({ auth: { token: "test" } }) as OutboxOctokit;
}

let key: string | undefined;
/** A real RSA key: a junk one only fails at the first GitHub call. Generated once per file. */
export function testPrivateKey(): string {
  key ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  return key;
}

export function createTestProbot(): Probot {
  return new Probot({
    appId: 1,
    privateKey: testPrivateKey(),
    secret: WEBHOOK_SECRET,
    logLevel: "fatal",
    Octokit: TestOctokit,
  });
}

interface Example {
  action?: string;
  [key: string]: unknown;
}
const examples = createRequire(import.meta.url)(
  "@octokit/webhooks-examples/api.github.com/index.json",
) as { name: string; examples: Example[] }[];

/** A deep copy of a real example payload from @octokit/webhooks-examples. */
export function webhookExample(name: string, action?: string): Payload {
  const group = examples.find((e) => e.name === name);
  const found = group?.examples.find((e) => action === undefined || e.action === action);
  if (!found) throw new Error(`no example ${name}.${action}`);
  return structuredClone(found) as Payload;
}

/** Delivers a signed webhook through the real route (`secret`: sign with another, to test refusal). */
export async function sendWebhook(
  app: FastifyInstance,
  event: string,
  payload: unknown,
  options: { id?: string; secret?: string } = {},
) {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", options.secret ?? WEBHOOK_SECRET)
    .update(body)
    .digest("hex")}`;
  const id = options.id ?? randomUUID();
  const response = await app.inject({
    method: "POST",
    url: "/api/github/webhooks",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": id,
      "x-hub-signature-256": signature,
    },
    payload: body,
  });
  return { response, id };
}

/** Mocks a read of `path` in `owner/repo` through the contents API (raw media type). */
export function nockContents(
  fullName: string,
  path: string,
  reply: { status: 200; yaml: string } | { status: 404 },
  times = 1,
) {
  const url = `/repos/${fullName}/contents/${encodeURIComponent(path)}`;
  const scope = nock(API).get(url).times(times);
  return reply.status === 200
    ? scope.reply(200, reply.yaml, { "content-type": "text/plain; charset=utf-8" })
    : scope.reply(404, { message: "Not Found" });
}

/** The App's id in createTestProbot, and how GitHub shows an issue that App opened. */
export const APP_ID = 1;
export const APP_AUTHOR = {
  user: { login: "faultline[bot]", id: 9_000_001, type: "Bot" },
  performed_via_github_app: { id: APP_ID, slug: "faultline", name: "Faultline" },
};

/** A search result item as the App authored it, unless the item says who wrote it. */
export function authoredByApp<T extends object>(item: T): T {
  return "user" in item ? item : { ...APP_AUTHOR, ...item };
}

/**
 * Mocks the outbox's label checks: a read of each label, `existing` found, `missing` not found
 * and then created. Returns the bodies of the creates, in order.
 */
export function nockLabels(
  fullName: string,
  existing: readonly string[],
  missing: readonly string[] = [],
): unknown[] {
  const created: unknown[] = [];
  const scope = nock(API);
  for (const name of existing) {
    scope
      .get(`/repos/${fullName}/labels/${encodeURIComponent(name)}`)
      .reply(200, { name, color: "ededed" });
  }
  for (const name of missing) {
    scope
      .get(`/repos/${fullName}/labels/${encodeURIComponent(name)}`)
      .reply(404, { message: "Not Found" })
      .post(`/repos/${fullName}/labels`, (body) => {
        created.push(body);
        return body.name === name;
      })
      .reply(201, {});
  }
  return created;
}

/** Mocks the listing of a repository's recent issues (newest first) that a retried create reads. */
export function nockRecentIssues(fullName: string, items: unknown[] = []) {
  return nock(API)
    .get(`/repos/${fullName}/issues`)
    .query((q) => q.state === "all" && q.sort === "created" && q.direction === "desc")
    .reply(200, items);
}

/** Mocks the issue search a retried create reads after the listing. */
export function nockIssueSearch(fullName: string, items: unknown[] = []) {
  return nock(API)
    .get("/search/issues")
    .query((q) => typeof q.q === "string" && q.q.includes(`repo:${fullName}`))
    .reply(200, { total_count: items.length, incomplete_results: false, items });
}

/** A comment body as rendered, without the hidden marker the outbox appends to every comment. */
export function withoutCommentMarker(body: string): string {
  return body.replace(/\n\n<!-- faultline:comment row=\d+\.\d+ -->$/, "");
}

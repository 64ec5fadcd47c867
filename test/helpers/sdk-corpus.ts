/**
 * The SDK corpus: HTTP requests that real Sentry clients (npm's @sentry/node, @sentry/browser in
 * Chromium, Debian's python3-sentry-sdk, ruby-sentry-ruby, ruby-sentry-raven, npm's raven) sent
 * while running bench/grouping/clients, recorded byte for byte. Each event carries the tag
 * `corpus_site` naming the code site that raised it: the ground truth that grouping is scored
 * against (grouping never reads tags unless a repository's fingerprint rule asks for one).
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { type Kysely, sql } from "kysely";
import type { Database } from "../../src/db/index.js";
import type { ErrorEvent } from "../../src/grouping/index.js";
import {
  decodeStoreBody,
  extractEvents,
  mapSentryEvent,
  parseEnvelope,
} from "../../src/ingest/sentry/index.js";
import { ensureProject } from "../../src/projects/index.js";

export interface CorpusRequest {
  client: string;
  method: string;
  /** Path and query as the client sent them; `/api/<id>/` names the recording's project. */
  url: string;
  headers: Record<string, string>;
  /** The body, base64. */
  body: string;
}

export const CORPUS_DIR = new URL("../fixtures/sdk-corpus/", import.meta.url).pathname;

/**
 * Every client's ingest key in a recording: the DSN's key, so replays need not rewrite bodies.
 * Hex, like real keys: SDKs parse a DSN's key as word characters only.
 */
export const corpusKey = (client: string) =>
  createHash("sha256").update(`corpus/${client}`).digest("hex").slice(0, 32);

/** One `<client>.ndjson.gz` per client. */
export function loadCorpus(dir = CORPUS_DIR): CorpusRequest[] {
  const requests: CorpusRequest[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".ndjson.gz")) continue;
    const text = gunzipSync(readFileSync(join(dir, file))).toString("utf8");
    for (const line of text.split("\n")) {
      if (line.trim() !== "") requests.push(JSON.parse(line) as CorpusRequest);
    }
  }
  return requests;
}

/** Headers a replay sends: what the client sent, minus those that describe the connection. */
const HOP_BY_HOP = new Set(["host", "connection", "content-length", "transfer-encoding"]);

export function replayHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k)));
}

/**
 * Every event of the corpus is stored (no sampling of warnings, no per-minute limits): grouping
 * is scored on the stored events.
 */
export const CORPUS_PROJECT_CONFIG = {
  sampling: { critical: 1, error: 1, warning: 1, info: 1, debug: 1 },
  rate_limits: { per_bug_per_minute: 1_000_000, per_project_per_minute: 1_000_000 },
};

/** A project per client, keyed as the recording's DSN says: returns client -> project id. */
export async function corpusProjects(
  db: Kysely<Database>,
  clients: Iterable<string>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const client of clients) {
    const { project } = await ensureProject(db, { fullName: `corpus/${client}` });
    await db
      .updateTable("projects")
      .set({
        ingest_key: corpusKey(client),
        config: JSON.stringify(CORPUS_PROJECT_CONFIG),
        config_errors: "[]",
      })
      .where("id", "=", project.id)
      .execute();
    ids.set(client, project.id);
  }
  return ids;
}

export interface ReplayOutcome {
  client: string;
  status: number;
  body: string;
}

/** Sends one recorded request to the app, pointed at the client's project. */
export async function replay(
  app: FastifyInstance,
  request: CorpusRequest,
  projectId: number,
): Promise<ReplayOutcome> {
  const url = request.url.replace(/^\/api\/\d+\//, `/api/${projectId}/`);
  const response = await app.inject({
    method: request.method as "POST",
    url,
    headers: replayHeaders(request.headers),
    payload: Buffer.from(request.body, "base64"),
  });
  return { client: request.client, status: response.statusCode, body: response.body };
}

export interface GroupingScore {
  client: string;
  events: number;
  sites: number;
  bugs: number;
  precision: number;
  recall: number;
  f1: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

/**
 * Pairwise scores of one client's events: a pair of events is "together" when they share a bug.
 * Precision: of the pairs put together, how many come from one site; recall: of the pairs from
 * one site, how many were put together. With no pair on one side the score is 1.
 */
export function pairwiseScore(
  client: string,
  events: readonly { site: string; bug: number }[],
): GroupingScore {
  const bySite = new Map<string, number>();
  const byBug = new Map<number, number>();
  const byCell = new Map<string, number>();
  for (const { site, bug } of events) {
    bySite.set(site, (bySite.get(site) ?? 0) + 1);
    byBug.set(bug, (byBug.get(bug) ?? 0) + 1);
    const cell = `${site}\u0000${bug}`;
    byCell.set(cell, (byCell.get(cell) ?? 0) + 1);
  }
  let together = 0;
  for (const n of byCell.values()) together += pairs(n);
  let predicted = 0;
  for (const n of byBug.values()) predicted += pairs(n);
  let actual = 0;
  for (const n of bySite.values()) actual += pairs(n);
  const precision = predicted === 0 ? 1 : together / predicted;
  const recall = actual === 0 ? 1 : together / actual;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    client,
    events: events.length,
    sites: bySite.size,
    bugs: byBug.size,
    precision,
    recall,
    f1,
  };
}

/** Each stored event of the corpus projects with its site and bug, per client. */
export async function storedAssignments(
  db: Kysely<Database>,
  projects: Map<string, number>,
): Promise<Map<string, { site: string; bug: number }[]>> {
  const clientOf = new Map([...projects].map(([client, id]) => [id, client]));
  const rows = await sql<{ project_id: number; site: string | null; bug_id: number }>`
    SELECT project_id, tags->>'corpus_site' AS site, bug_id FROM events
    WHERE project_id = ANY(${[...projects.values()]}::bigint[])`.execute(db);
  const out = new Map<string, { site: string; bug: number }[]>();
  for (const row of rows.rows) {
    const client = clientOf.get(Number(row.project_id));
    if (client === undefined || row.site === null) continue;
    const list = out.get(client) ?? [];
    list.push({ site: row.site, bug: Number(row.bug_id) });
    out.set(client, list);
  }
  return out;
}

/** Scores of every client, and of all events pooled (a pair never spans two clients). */
export function scoreAll(assignments: Map<string, { site: string; bug: number }[]>) {
  const perClient = [...assignments.keys()]
    .sort()
    .map((client) => pairwiseScore(client, assignments.get(client) ?? []));
  const pooled = pairwiseScore(
    "all",
    [...assignments].flatMap(([client, events]) =>
      // Bug ids are unique across projects already; sites are prefixed with their client.
      events.map((e) => ({ site: `${client}\u0000${e.site}`, bug: e.bug })),
    ),
  );
  return { perClient, pooled };
}

/**
 * The events of recorded requests, mapped as the server maps them (no HTTP): for tests that
 * need the corpus's real payloads as ErrorEvents, such as storing them under an older grouping.
 */
export function corpusEvents(requests: readonly CorpusRequest[], receivedAt: Date): ErrorEvent[] {
  const events: ErrorEvent[] = [];
  for (const request of requests) {
    let body = Buffer.from(request.body, "base64");
    if (request.headers["content-encoding"] === "gzip") body = gunzipSync(body);
    const payloads: unknown[] = [];
    if (request.url.includes("/envelope")) {
      for (const item of extractEvents(parseEnvelope(body)).events) payloads.push(item.json);
    } else {
      const decoded = decodeStoreBody(body, 16 * 1024 * 1024);
      if (decoded.ok) payloads.push(decoded.json);
    }
    for (const payload of payloads) events.push(mapSentryEvent(payload, { receivedAt }));
  }
  return events;
}

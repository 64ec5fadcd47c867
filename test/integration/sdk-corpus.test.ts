import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../src/server.js";
import { type Services, createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import {
  type GroupingScore,
  corpusProjects,
  loadCorpus,
  replay,
  scoreAll,
  storedAssignments,
} from "../helpers/sdk-corpus.js";

/**
 * Grouping on traffic that real Sentry clients sent (test/fixtures/sdk-corpus, recorded by
 * `npm run bench:grouping -- --live --record`): every request is accepted, and each client's
 * events form one bug per code site (pairwise F1 >= 0.98).
 */
let testDb: TestDb;
let services: Services;
let app: FastifyInstance;
let scores: GroupingScore[];
const refused: { client: string; status: number; body: string }[] = [];

const CLIENTS = [
  "browser-minified",
  "browser-plain",
  "raven-node",
  "raven-ruby",
  "sentry-node",
  "sentry-python",
  "sentry-ruby",
];

beforeAll(async () => {
  testDb = await createTestDb();
  services = createServices({ db: testDb.db });
  app = await buildServer(services, { bodyLimit: 1024 * 1024 });
  const corpus = loadCorpus();
  const projects = await corpusProjects(testDb.db, new Set(corpus.map((r) => r.client)));
  for (const request of corpus) {
    const outcome = await replay(app, request, projects.get(request.client) as number);
    if (outcome.status < 200 || outcome.status > 299) refused.push(outcome);
  }
  await services.reportService.flush();
  scores = scoreAll(await storedAssignments(testDb.db, projects)).perClient;
  console.log(
    scores
      .map(
        (s) =>
          `${s.client}: ${s.events} events, ${s.sites} sites, ${s.bugs} bugs, precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}, F1 ${s.f1.toFixed(3)}`,
      )
      .join("\n"),
  );
}, 120_000);

afterAll(async () => {
  await app?.close();
  await services?.reportService.close();
  await testDb?.close();
});

describe("grouping on real SDK traffic", () => {
  it("accepts every request of every client, legacy raven ones included", () => {
    expect(refused).toEqual([]);
  });

  it.each(CLIENTS)("%s: at least 6 sites, one bug per site (F1 >= 0.98)", (client) => {
    const score = scores.find((s) => s.client === client);
    expect(score?.sites).toBeGreaterThanOrEqual(6);
    expect(score?.events).toBeGreaterThanOrEqual(score?.sites ?? 0);
    expect(score?.f1).toBeGreaterThanOrEqual(0.98);
  });
});

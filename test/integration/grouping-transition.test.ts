import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Occurrence,
  groupEvent,
  loadGroupingTransition,
  recordOccurrences,
} from "../../src/bugs/index.js";
import { planGithubEffects } from "../../src/github/index.js";
import {
  FINGERPRINT_VERSION,
  PREVIOUS_FINGERPRINT_VERSION,
  computePreviousFingerprint,
} from "../../src/grouping/index.js";
import { buildServer } from "../../src/server.js";
import { type Services, createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import {
  type CorpusRequest,
  corpusEvents,
  corpusProjects,
  loadCorpus,
  replay,
} from "../helpers/sdk-corpus.js";

/**
 * A grouping upgrade (version 1 -> 2) must not split existing bugs: bugs created under version 1
 * (from real SDK traffic, where version 1 split a site's errors by their varying messages) get
 * the same events again from a version-2 server, which finds them by their version-1 hashes.
 * No new bug, no new issue; every site's events then land on one of its old bugs.
 */
let testDb: TestDb;
let services: Services | undefined;
let app: FastifyInstance | undefined;
const CLIENTS = ["sentry-python", "sentry-node", "raven-ruby"];
let corpus: CorpusRequest[];

beforeAll(async () => {
  testDb = await createTestDb();
  corpus = loadCorpus().filter((r) => CLIENTS.includes(r.client));
});
afterAll(async () => {
  await app?.close();
  await services?.reportService.close();
  await testDb.close();
});
beforeEach(async () => {
  await app?.close();
  await services?.reportService.close();
  await testDb.truncate();
});

/** Stores events as grouping version 1 did: its hash and version on every new bug. */
async function storeUnderVersion1(projectId: number, requests: CorpusRequest[]) {
  const at = new Date();
  const occurrences: Occurrence[] = corpusEvents(requests, at).map((event) => {
    // New ids: the version-2 server gets the recorded events as fresh reports.
    const copy = { ...event, eventId: randomBytes(16).toString("hex") };
    return {
      ...groupEvent(projectId, copy, at),
      fingerprint: computePreviousFingerprint(copy),
      fingerprintVersion: PREVIOUS_FINGERPRINT_VERSION,
      storeEvent: true,
    };
  });
  await testDb.db.transaction().execute((trx) => recordOccurrences(trx, occurrences));
  // Version 1 opened an issue for each of them.
  await sql`UPDATE bugs SET issue_number = number, issue_url = 'https://github.com/o/r/issues/' || number`.execute(
    testDb.db,
  );
}

async function startVersion2() {
  services = createServices({ db: testDb.db, effects: [planGithubEffects()] });
  app = await buildServer(services, { bodyLimit: 1024 * 1024 });
  return app;
}

const bugRows = () =>
  testDb.db
    .selectFrom("bugs")
    .select(["id", "project_id", "fingerprint_version", "grouping"])
    .execute();

describe("grouping transition from version 1 to 2", () => {
  it("opens no bug and no issue for errors that version 1 already knew", async () => {
    const projects = await corpusProjects(testDb.db, CLIENTS);
    await testDb.db.updateTable("projects").set({ installation_id: 4242 }).execute();
    for (const client of CLIENTS) {
      await storeUnderVersion1(
        projects.get(client) as number,
        corpus.filter((r) => r.client === client),
      );
    }
    const before = await bugRows();
    const sites = new Set(
      (
        await sql<{
          site: string;
        }>`SELECT DISTINCT tags->>'corpus_site' AS site FROM events`.execute(testDb.db)
      ).rows.map((r) => r.site),
    );
    // Version 1 split sites by their messages: more bugs than sites.
    expect(before.length).toBeGreaterThan(sites.size);
    expect(before.every((b) => b.fingerprint_version === 1)).toBe(true);
    const lastId = await sql<{ id: number }>`SELECT max(id)::int AS id FROM events`.execute(
      testDb.db,
    );
    const lastBefore = Number(lastId.rows[0]?.id ?? 0);

    const server = await startVersion2();
    for (const request of corpus) {
      const outcome = await replay(server, request, projects.get(request.client) as number);
      expect(outcome.status).toBe(200);
    }
    await services?.reportService.flush();

    // No new bug, no new issue.
    expect((await bugRows()).length).toBe(before.length);
    const opened = await testDb.db
      .selectFrom("outbox")
      .select("id")
      .where("kind", "=", "open_issue")
      .execute();
    expect(opened).toEqual([]);
    // Every version-2 event counted on one old bug per site; the bug learnt the new hash.
    const placed = await sql<{ site: string; bugs: number }>`
      SELECT tags->>'corpus_site' AS site, count(DISTINCT bug_id)::int AS bugs FROM events
      WHERE id > ${lastBefore} GROUP BY 1`.execute(testDb.db);
    expect(placed.rows.length).toBe(sites.size);
    expect(placed.rows.filter((r) => r.bugs !== 1)).toEqual([]);
    const learnt = await testDb.db.selectFrom("bug_fingerprints").selectAll().execute();
    expect(learnt.length).toBe(sites.size);
    expect(learnt.every((l) => l.version === FINGERPRINT_VERSION)).toBe(true);
    // The learners now show the reasons of version 2.
    const learners = (await bugRows()).filter((b) => learnt.some((l) => l.bug_id === b.id));
    expect(learners.every((b) => b.grouping?.version === FINGERPRINT_VERSION)).toBe(true);
  }, 60_000);

  it("records the transition once, and none for a database without older bugs", async () => {
    const now = new Date("2026-12-08T00:00:00Z");
    expect(await loadGroupingTransition(testDb.db, now)).toEqual({
      previousVersion: null,
      until: null,
    });
    // A later process of the same version keeps that answer even if old rows appeared since.
    const projects = await corpusProjects(testDb.db, ["sentry-node"]);
    await storeUnderVersion1(
      projects.get("sentry-node") as number,
      corpus.filter((r) => r.client === "sentry-node").slice(0, 5),
    );
    expect(await loadGroupingTransition(testDb.db, now)).toEqual({
      previousVersion: null,
      until: null,
    });

    await testDb.db.deleteFrom("grouping_state").execute();
    const started = await loadGroupingTransition(testDb.db, now, 90);
    expect(started).toEqual({
      previousVersion: 1,
      until: new Date("2027-03-08T00:00:00Z"),
    });
    // A second replica starting later does not move the end.
    expect(await loadGroupingTransition(testDb.db, new Date("2026-12-20T00:00:00Z"), 90)).toEqual(
      started,
    );
  });

  it("stops looking up version-1 hashes once the transition is over", async () => {
    const projects = await corpusProjects(testDb.db, ["sentry-python"]);
    const requests = corpus.filter((r) => r.client === "sentry-python").slice(0, 3);
    await storeUnderVersion1(projects.get("sentry-python") as number, requests);
    const before = (await bugRows()).length;
    await testDb.db
      .insertInto("grouping_state")
      .values({
        id: 1,
        version: FINGERPRINT_VERSION,
        previous_version: 1,
        transition_until: new Date(Date.now() - 1000),
      })
      .execute();
    const server = await startVersion2();
    for (const request of requests) {
      await replay(server, request, projects.get("sentry-python") as number);
    }
    await services?.reportService.flush();
    expect((await bugRows()).length).toBe(before + requests.length);
  });
});

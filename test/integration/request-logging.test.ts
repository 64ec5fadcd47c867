import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

// Fastify's two info lines per request ("incoming request", "request completed") are skipped on
// the ingestion routes only: at thousands of reports a second they cost more than the reports.
let testDb: TestDb;
let app: FastifyInstance;
let project: Project;
let lines: { msg: string; level: number; req?: { url: string } }[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const services = createServices({ db: testDb.db });
  app = await buildServer(services, { logger: pino({ level: "info" }, sink) });
  ({ project } = await ensureProject(testDb.db, { fullName: "octo-org/logging" }));
});

afterAll(async () => {
  await app?.close();
  await testDb?.close();
});

beforeEach(() => {
  lines = [];
});

const requestLines = () =>
  lines.filter((l) => l.msg === "incoming request" || l.msg === "request completed");

describe("request logging", () => {
  it("is off for reports, which are still stored and answered", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/api/reports",
      headers: { authorization: `Bearer ${project.ingestKey}` },
      payload: { error_type: "TypeError", message: "x is undefined" },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().bug).toBe("B-001");
    expect(requestLines()).toEqual([]);
  });

  it("is off for Sentry envelopes", async () => {
    const res = await app.inject({
      method: "POST",
      url: `/api/${project.id}/envelope/?sentry_key=${project.ingestKey}`,
      payload: `{}\n{"type":"event"}\n{"exception":{"values":[{"type":"Error","value":"boom"}]}}\n`,
    });
    expect(res.statusCode).toBe(200);
    expect(requestLines()).toEqual([]);
  });

  it("stays on for every other route", async () => {
    const res = await app.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(requestLines().map((l) => l.msg)).toEqual(["incoming request", "request completed"]);
  });
});

describe("auth routes in request logs", () => {
  it("log the dashboard's OAuth callback and sign-in without their query strings", async () => {
    await app.inject({
      method: "GET",
      url: "/dashboard/auth/callback?code=c0de5ecret&state=st4te",
    });
    await app.inject({ method: "GET", url: "/dashboard/login?next=%2Fdashboard%2Fsecret" });
    await app.inject({ method: "GET", url: "/probot/success?code=manifestc0de" });
    const urls = requestLines().flatMap((l) => (l.req ? [l.req.url] : []));
    expect(urls).toEqual([
      "/dashboard/auth/callback?[redacted]",
      "/dashboard/login?[redacted]",
      "/probot/success?[redacted]",
    ]);
    const text = JSON.stringify(lines);
    for (const secret of ["c0de5ecret", "st4te", "manifestc0de", "secret"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("keeps other query strings", async () => {
    await app.inject({ method: "GET", url: "/healthz?probe=1" });
    expect(requestLines()[0]?.req?.url).toBe("/healthz?probe=1");
  });
});

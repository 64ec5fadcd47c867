import { createHmac } from "node:crypto";
import { type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebhookProxy, startWebhookProxy } from "../../src/github/index.js";
import { registerWebhookHandlers } from "../../src/github/webhooks/index.js";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { WEBHOOK_SECRET, createTestProbot, webhookExample } from "../helpers/github.js";

/**
 * WEBHOOK_PROXY_URL: deliveries that reach a relay channel (smee.io's protocol: server-sent
 * events, one JSON message per delivery with its headers and body) are forwarded to the
 * server's own webhook route and verified there. A local stand-in plays smee.io.
 */

let testDb: TestDb;
let app: FastifyInstance;
let relay: Server;
let stream: ServerResponse | undefined;
let proxy: WebhookProxy | undefined;
let onConnected = () => {};
const connected = new Promise<void>((resolve) => {
  onConnected = resolve;
});

beforeAll(async () => {
  testDb = await createTestDb();
  const probot = createTestProbot();
  registerWebhookHandlers(probot, { db: testDb.db, clock: () => new Date() });
  await probot.ready();
  app = await buildServer({ ...createServices({ db: testDb.db }), probot });
  await app.listen({ port: 0, host: "127.0.0.1" });
  relay = createServer((req, res) => {
    if (req.url !== "/channel") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write("event: ready\ndata: {}\n\n");
    stream = res;
    onConnected();
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  await proxy?.close();
  stream?.end();
  relay?.closeAllConnections();
  await new Promise((resolve) => relay?.close(resolve));
  await app?.close();
  await testDb?.close();
});

describe("the webhook relay (WEBHOOK_PROXY_URL)", () => {
  it("forwards each delivery from the channel to the webhook route, where it is verified", async () => {
    const appPort = (app.server.address() as AddressInfo).port;
    const relayPort = (relay.address() as AddressInfo).port;
    const lines: string[] = [];
    proxy = startWebhookProxy({
      source: `http://127.0.0.1:${relayPort}/channel`,
      target: `http://127.0.0.1:${appPort}/api/github/webhooks`,
      log: {
        info: (_o, msg) => lines.push(String(msg)),
        warn: (_o, msg) => lines.push(String(msg)),
      },
    });
    await connected;

    const payload = webhookExample("installation", "created");
    payload.installation.id = 4711;
    payload.repositories = [
      { id: 9001, node_id: "x", name: "shop", full_name: "octo-org/shop", private: false },
    ];
    // The relay re-serialises the body it got: GitHub's signature is over those bytes.
    const body = JSON.stringify(payload);
    const message = (signedWith: string, delivery: string) => ({
      "x-github-event": "installation",
      "x-github-delivery": delivery,
      "x-hub-signature-256": `sha256=${createHmac("sha256", signedWith).update(body).digest("hex")}`,
      "content-type": "application/json",
      host: "smee.io",
      body: payload,
      query: {},
      timestamp: Date.now(),
    });
    stream?.write(`data: ${JSON.stringify(message("forged", "d-forged"))}\n\n`);
    stream?.write(`data: ${JSON.stringify(message(WEBHOOK_SECRET, "d-relayed"))}\n\n`);

    let projects: { full_name_lower: string; installation_id: number | null }[] = [];
    for (let i = 0; i < 100 && projects.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      projects = await testDb.db
        .selectFrom("projects")
        .select(["full_name_lower", "installation_id"])
        .execute();
    }
    expect(projects).toEqual([{ full_name_lower: "octo-org/shop", installation_id: 4711 }]);
    const deliveries = await testDb.db
      .selectFrom("webhook_deliveries")
      .select("delivery_id")
      .execute();
    // The forged one was refused by the signature check.
    expect(deliveries.map((d) => d.delivery_id)).toEqual(["d-relayed"]);
    await expect
      .poll(() => lines.filter((l) => /^POST .* - \d+$/.test(l)).sort())
      .toEqual([
        expect.stringMatching(/^POST http:\/\/127\.0\.0\.1:\d+\/api\/github\/webhooks - 200$/),
        expect.stringMatching(/ - 401$/),
      ]);
  });
});

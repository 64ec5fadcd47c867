import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeStoreBody } from "../../../src/ingest/sentry/index.js";

const event = { event_id: "0123456789abcdef0123456789abcdef", message: "boom" };
const json = JSON.stringify(event);
const LIMIT = 1024 * 1024;

describe("decodeStoreBody", () => {
  it.each([
    ["plain JSON", Buffer.from(json)],
    ["JSON with a BOM and whitespace", Buffer.from(`\uFEFF  ${json}\n`)],
    // raven-node, raven-ruby and raven-python: base64(zlib(JSON)), application/octet-stream.
    ["base64(zlib(JSON))", Buffer.from(deflateSync(json).toString("base64"))],
    [
      "base64(zlib(JSON)) wrapped at 76 columns",
      Buffer.from(wrap(deflateSync(json).toString("base64"))),
    ],
    ["base64(gzip(JSON))", Buffer.from(gzipSync(json).toString("base64"))],
    ["base64(JSON)", Buffer.from(Buffer.from(json).toString("base64"))],
    ["zlib bytes", deflateSync(json)],
    ["gzip bytes", gzipSync(json)],
    ["raw deflate bytes", deflateRawSync(json)],
  ])("reads %s", (_name, body) => {
    expect(decodeStoreBody(body, LIMIT)).toEqual({ ok: true, json: event });
  });

  it.each([
    ["text", Buffer.from("not json at all")],
    ["an empty body", Buffer.alloc(0)],
    ["broken JSON", Buffer.from('{"event_id": ')],
    ["base64 of garbage", Buffer.from("aGVsbG8gd29ybGQ=")],
    ["random bytes", Buffer.from([0x78, 0x9c, 1, 2, 3, 4, 5])],
  ])("refuses %s as invalid_json", (_name, body) => {
    expect(decodeStoreBody(body, LIMIT)).toMatchObject({ ok: false, code: "invalid_json" });
  });

  it("stops a compression bomb at the limit", () => {
    const bomb = Buffer.from(deflateSync(Buffer.alloc(20 * LIMIT, 0x20)).toString("base64"));
    expect(bomb.length).toBeLessThan(40_000);
    expect(decodeStoreBody(bomb, LIMIT)).toMatchObject({ ok: false, code: "payload_too_large" });
  });
});

function wrap(text: string): string {
  return text.replace(/(.{76})/g, "$1\n");
}

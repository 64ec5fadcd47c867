import { describe, expect, it } from "vitest";
import { FILTERED, createScrubber } from "../../../src/scrub/index.js";
import { makeEvent } from "./make-event.js";

const { scrubEvent } = createScrubber();

const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

describe("scrubEvent", () => {
  it("returns an event without secrets unchanged in content", () => {
    const event = makeEvent();
    expect(scrubEvent(event)).toEqual(event);
  });

  it("scrubs message, template and raw stack trace", () => {
    const scrubbed = scrubEvent(
      makeEvent({
        message: "Payment failed for card 4111 1111 1111 1111",
        messageTemplate: "Login failed, password: hunter2",
        rawStacktrace: `Error: 401 with Bearer ${JWT}\n    at fetchOrders (app.js:10:3)`,
      }),
    );
    expect(scrubbed.message).toBe(`Payment failed for card ${FILTERED}`);
    expect(scrubbed.messageTemplate).toBe(`Login failed, password: ${FILTERED}`);
    expect(scrubbed.rawStacktrace).toBe(
      `Error: 401 with Bearer ${FILTERED}\n    at fetchOrders (app.js:10:3)`,
    );
  });

  it("scrubs query strings in frame URLs and keeps the frame's identity", () => {
    const frame = {
      filename: "https://shop.example.com/app.js?token=abc123",
      absPath: "https://deploy:gh_pat_x@cdn.example.com/app.js",
      function: "refreshSession",
      module: "auth/session",
      lineno: 12,
      colno: 4,
      inApp: true,
    };
    const [scrubbed] = scrubEvent(makeEvent({ frames: [frame] })).frames;
    expect(scrubbed).toEqual({
      ...frame,
      filename: `https://shop.example.com/app.js?token=${FILTERED}`,
      absPath: `https://${FILTERED}@cdn.example.com/app.js`,
    });
  });

  it("filters sensitive headers and cookies, keeps the rest", () => {
    const scrubbed = scrubEvent(
      makeEvent({
        request: {
          url: "https://shop.example.com/oauth/callback?code=4/0Ad&access_token=ya29.a0Af&state=xyz",
          method: "GET",
          headers: {
            Authorization: `Bearer ${JWT}`,
            Cookie: "sessionid=8f2c9a; csrftoken=Jq8; theme=dark",
            "X-Api-Key": "sk_live_51HxYzAbCdEf",
            "User-Agent": "Mozilla/5.0",
            Accept: "application/json",
          },
        },
      }),
    );
    expect(scrubbed.request).toEqual({
      url: `https://shop.example.com/oauth/callback?code=4/0Ad&access_token=${FILTERED}&state=xyz`,
      method: "GET",
      headers: {
        Authorization: FILTERED,
        Cookie: FILTERED,
        "X-Api-Key": FILTERED,
        "User-Agent": "Mozilla/5.0",
        Accept: "application/json",
      },
    });
  });

  it("scrubs a Django-style form body and query object", () => {
    const scrubbed = scrubEvent(
      makeEvent({
        request: {
          method: "POST",
          query: { next: "/account", token: "abc" },
          data: {
            username: "bob",
            password: "hunter2",
            password_confirmation: "hunter2",
            csrfmiddlewaretoken: "Jq8pX2",
          },
        },
      }),
    );
    expect(scrubbed.request?.query).toEqual({ next: "/account", token: FILTERED });
    expect(scrubbed.request?.data).toEqual({
      username: "bob",
      password: FILTERED,
      password_confirmation: FILTERED,
      csrfmiddlewaretoken: FILTERED,
    });
  });

  it("scrubs a Laravel request string body and a query string", () => {
    const scrubbed = scrubEvent(
      makeEvent({
        request: {
          query: "page=2&api_token=9f8e7d&sort=asc",
          data: "_token=Xy9&email=bob%40example.com&password=hunter2&remember=on",
        },
      }),
    );
    expect(scrubbed.request?.query).toBe(`page=2&api_token=${FILTERED}&sort=asc`);
    expect(scrubbed.request?.data).toBe(
      `_token=${FILTERED}&email=bob%40example.com&password=${FILTERED}&remember=on`,
    );
  });

  it("filters whole values under sensitive keys, even objects and arrays", () => {
    const scrubbed = scrubEvent(
      makeEvent({
        request: {
          data: {
            order: { id: 12345, items: [{ sku: "TSHIRT-M", qty: 2 }] },
            payment: { api_key: "sk_live_51HxYzAbCdEf", card: "4111111111111111" },
            credentials: { user: "bob", pass: "hunter2" },
            sessions: ["a", "b"],
          },
        },
      }),
    );
    expect(scrubbed.request?.data).toEqual({
      order: { id: 12345, items: [{ sku: "TSHIRT-M", qty: 2 }] },
      payment: { api_key: FILTERED, card: FILTERED },
      credentials: FILTERED,
      sessions: FILTERED,
    });
  });

  it("scrubs tags and context", () => {
    const scrubbed = scrubEvent(
      makeEvent({
        tags: { route: "/checkout", session_id: "8f2c9a", url: "/pay?token=abc" },
        context: {
          db: { host: "db.internal", url: "mysql://root:toor@db.internal/shop" },
          env: { HTTP_AUTHORIZATION: "Basic dXNlcjpwYXNz", PATH: "/usr/bin" },
        },
      }),
    );
    expect(scrubbed.tags).toEqual({
      route: "/checkout",
      session_id: FILTERED,
      url: `/pay?token=${FILTERED}`,
    });
    expect(scrubbed.context).toEqual({
      db: { host: "db.internal", url: `mysql://${FILTERED}@db.internal/shop` },
      env: { HTTP_AUTHORIZATION: FILTERED, PATH: "/usr/bin" },
    });
  });

  it("keeps ids, vocabulary and the fingerprint as they are", () => {
    const event = makeEvent({
      userId: "user_8812",
      serverName: "web-3",
      fingerprint: ["{{ default }}", "token-refresh"],
    });
    const scrubbed = scrubEvent(event);
    expect(scrubbed.userId).toBe("user_8812");
    expect(scrubbed.serverName).toBe("web-3");
    expect(scrubbed.fingerprint).toEqual(["{{ default }}", "token-refresh"]);
    expect(scrubbed.eventId).toBe(event.eventId);
    expect(scrubbed.timestamp).toEqual(event.timestamp);
  });

  it("never mutates the input", () => {
    const event = makeEvent({
      message: "card 4111 1111 1111 1111",
      request: { headers: { Authorization: "Bearer abcdefgh12345" }, data: { password: "x" } },
      context: { nested: { token: "abc", list: [{ secret: 1 }] } },
    });
    const before = structuredClone(event);
    const scrubbed = scrubEvent(event);
    expect(event).toEqual(before);
    expect(scrubbed).not.toBe(event);
    expect(scrubbed.frames).not.toBe(event.frames);
    expect(scrubbed.frames[0]).not.toBe(event.frames[0]);
    expect(scrubbed.context).not.toBe(event.context);
    expect(scrubbed.timestamp).not.toBe(event.timestamp);
  });
});

"use strict";
/**
 * The legacy `raven` client for Node against the server: `node raven-node.cjs <dsn> <per site>`.
 * It posts base64(zlib(JSON)) to /api/<id>/store/ as application/octet-stream, with
 * `sentry_version=5` in X-Sentry-Auth.
 */
const Raven = require("raven");
const { random, sites } = require("./shop.cjs");

const [dsn, perSite = "12"] = process.argv.slice(2);
const rnd = random(29);

Raven.config(dsn, {
  release: "shop@2.4.1",
  environment: "production",
  autoBreadcrumbs: false,
  captureUnhandledRejections: false,
}).install();

function send(capture) {
  return new Promise((resolve) => {
    capture((error) => {
      if (error) console.error("raven-node: send failed:", error.message ?? error);
      resolve();
    });
  });
}

async function main() {
  const list = sites(rnd);
  const rounds = Number(perSite);
  for (let round = 0; round < rounds; round++) {
    for (const site of list) {
      const options = { tags: { corpus_site: `raven-node/${site.name}` } };
      if (site.kind === "unhandled") {
        // raven-node reports unhandled rejections only when asked; report it as caught.
        try {
          await site.run();
        } catch (error) {
          await send((done) => Raven.captureException(error, options, done));
        }
        continue;
      }
      if (site.kind === "message") {
        const message = site.run();
        await send((done) => Raven.captureMessage(message, { ...options, level: "warning" }, done));
        continue;
      }
      try {
        await site.run();
      } catch (error) {
        await send((done) => Raven.captureException(error, options, done));
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

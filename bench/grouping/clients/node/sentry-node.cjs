"use strict";
/**
 * @sentry/node against the server: `node sentry-node.cjs <dsn> <events per site>`. Each event
 * carries the tag `corpus_site` (the ground truth); grouping never reads tags on its own.
 */
const Sentry = require("@sentry/node");
const { random, sites } = require("./shop.cjs");

const [dsn, perSite = "12"] = process.argv.slice(2);
const rnd = random(17);

Sentry.init({
  dsn,
  release: "shop@2.4.1",
  environment: "production",
  // The corpus is about errors: no tracing, no console/http breadcrumbs from the driver itself.
  tracesSampleRate: 0,
  sendClientReports: false,
});

async function main() {
  const list = sites(rnd);
  const rounds = Number(perSite);
  for (let round = 0; round < rounds; round++) {
    for (const site of list) {
      const tags = { corpus_site: `sentry-node/${site.name}` };
      if (site.kind === "unhandled") {
        // A rejection nobody handles: the tag travels on the isolation scope of this tick.
        Sentry.getIsolationScope().setTags(tags);
        site.run();
        await new Promise((resolve) => setTimeout(resolve, 20));
        Sentry.getIsolationScope().setTags({ corpus_site: undefined });
        continue;
      }
      if (site.kind === "message") {
        Sentry.withScope((scope) => {
          scope.setTags(tags);
          Sentry.captureMessage(site.run(), "warning");
        });
        continue;
      }
      try {
        await site.run();
      } catch (error) {
        Sentry.withScope((scope) => {
          scope.setTags(tags);
          Sentry.captureException(error);
        });
      }
    }
    await Sentry.flush(5000);
  }
  await Sentry.close(5000);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

import { type Server, createServer } from "node:http";
import type { Metrics } from "./metrics.js";

/**
 * METRICS_PORT: `GET /metrics` on a port of its own, without a token, for a scraper on a private
 * network (the main port keeps it behind FAULTLINE_ADMIN_TOKEN). Anything else is a 404.
 */
export function startMetricsServer(options: {
  port: number;
  host: string;
  metrics: Pick<Metrics, "render">;
}): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics here\n");
      return;
    }
    options.metrics.render().then(
      ({ contentType, body }) => res.writeHead(200, { "content-type": contentType }).end(body),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics failed\n"),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

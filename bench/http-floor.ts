/**
 * The HTTP floor of this machine: the same load generator and connections against a Fastify route
 * that parses the JSON body and answers 202 without storing anything. No ingestion server on the
 * same machine can go faster; the gap between this and a scenario is Faultline's own work.
 */
import Fastify from "fastify";
import type { LoadOptions } from "./load.js";

export async function startHttpFloor(): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  app.post("/api/reports", async (request, reply) => {
    const body = request.body as { error_type?: unknown };
    reply.code(202);
    return { event_id: "floor", bug: "B-001", status: "open", known: true, type: body.error_type };
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("the floor server has no address");
  return { url: `http://127.0.0.1:${address.port}/api/reports`, close: () => app.close() };
}

export function floorLoad(url: string, base: Omit<LoadOptions, "url" | "headers" | "kind">) {
  return {
    ...base,
    url,
    headers: { "content-type": "application/json", authorization: "Bearer floor" },
    kind: "hot" as const,
  };
}

/**
 * A real envelope as @sentry/node sends it: the SDK captures a real TypeError and its transport
 * hands us the serialised body instead of sending it.
 */
import * as Sentry from "@sentry/node";
import type { BenchServer } from "./bench-server.js";

export interface EnvelopeTemplate {
  body: string;
  eventId: string;
}

export async function captureNodeEnvelope(dsn: string): Promise<EnvelopeTemplate> {
  let captured: string | undefined;
  Sentry.init({
    dsn,
    release: "shop@1.4.2",
    environment: "production",
    serverName: "web-1",
    tracesSampleRate: 0,
    skipOpenTelemetrySetup: true,
    defaultIntegrations: false,
    integrations: [
      Sentry.nodeContextIntegration(),
      Sentry.contextLinesIntegration(),
      Sentry.linkedErrorsIntegration(),
    ],
    transport: (options) =>
      Sentry.createTransport(options, async (request) => {
        captured =
          typeof request.body === "string" ? request.body : Buffer.from(request.body).toString();
        return { statusCode: 200 };
      }),
  });
  let eventId = "";
  try {
    Sentry.addBreadcrumb({ category: "cart", message: "applying coupon", level: "info" });
    Sentry.setUser({ id: "42" });
    try {
      // biome-ignore lint/suspicious/noExplicitAny: provoking a real TypeError
      (undefined as any).id;
    } catch (error) {
      eventId = Sentry.captureException(error);
    }
    await Sentry.flush(5000);
  } finally {
    await Sentry.close(2000);
  }
  if (!captured || !eventId) throw new Error("@sentry/node produced no envelope");
  return { body: captured, eventId };
}

/** The envelope scenario's template, endpoint and auth header for a bench server. */
export async function envelopeLoad(s: Pick<BenchServer, "baseUrl" | "project">) {
  const dsn = `${s.baseUrl.replace("://", `://${s.project.ingestKey}@`)}/${s.project.id}`;
  return {
    template: await captureNodeEnvelope(dsn),
    path: `/api/${s.project.id}/envelope/`,
    headers: {
      "content-type": "application/x-sentry-envelope",
      "x-sentry-auth": `Sentry sentry_version=7, sentry_client=sentry.javascript.node/10, sentry_key=${s.project.ingestKey}`,
    },
  };
}

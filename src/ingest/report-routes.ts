import type { FastifyPluginAsync } from "fastify";
import type { ReportService } from "../bugs/index.js";
import type { ProjectAuth } from "./project-auth.js";
import { keyFromHeaders } from "./project-auth.js";
import { parseReport } from "./reports/parse-report.js";

export interface ReportRoutesOptions {
  projectAuth: ProjectAuth;
  reportService: ReportService;
  clock: () => Date;
  bodyLimit: number;
}

/**
 * `POST /api/reports` (generic JSON) and `POST /api/reports/:source` (laravel, java, frontend,
 * mobile, generic). The answer comes only after the occurrence is committed.
 */
export const reportRoutes: FastifyPluginAsync<ReportRoutesOptions> = async (app, opts) => {
  const handle = async (source: string, headers: Record<string, unknown>, body: unknown) => {
    const receivedAt = opts.clock();
    const project = await opts.projectAuth.authenticate(
      keyFromHeaders(headers as Record<string, string | string[] | undefined>),
      receivedAt,
    );
    const event = parseReport(source, body, receivedAt);
    const result = await opts.reportService.submit(project.id, event);
    return {
      event_id: result.eventId,
      bug: result.bug,
      status: result.status,
      known: result.known,
      occurrences: result.occurrences,
      issue_url: result.issueUrl,
      ...(result.duplicate ? { duplicate: true } : {}),
    };
  };

  app.post("/api/reports", { bodyLimit: opts.bodyLimit }, async (request, reply) => {
    const body = await handle("generic", request.headers, request.body);
    reply.code(202);
    return body;
  });

  app.post<{ Params: { source: string } }>(
    "/api/reports/:source",
    { bodyLimit: opts.bodyLimit },
    async (request, reply) => {
      const body = await handle(request.params.source, request.headers, request.body);
      reply.code(202);
      return body;
    },
  );
};

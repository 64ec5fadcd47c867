import { Readable } from "node:stream";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { parseBugRef } from "../bugs/known-bug.js";
import type { Database } from "../db/index.js";
import { parseEventRef } from "../stats/bug-detail.js";
import { bugGithubLinks } from "../stats/bug-links.js";
import { InvalidCursorError } from "../stats/cursor.js";
import {
  CONTENT_TYPES,
  type ExportFormat,
  exportColumns,
  formatExport,
} from "../stats/export-format.js";
import { streamBugs, streamEvents } from "../stats/export-stream.js";
import { InvalidRangeError } from "../stats/hour-range.js";
import { ReadAccessError, authenticateReader, projectsFor } from "../stats/read-access.js";
import { createStatsService } from "../stats/stats-service.js";
import {
  ParamError,
  bugParams,
  bugsParams,
  eventParams,
  eventsParams,
  exportBugsParams,
  exportEventsParams,
  parseParams,
  parseRange,
  statsParams,
} from "./read-params.js";

export interface ReadRoutesOptions {
  db: Kysely<Database>;
  /** FAULTLINE_ADMIN_TOKEN: sees every project. Unset = only per-project read keys work. */
  adminToken?: string | undefined;
  clock?: () => Date;
}

/**
 * The read API: GET /api/stats, /api/bugs, /api/bugs/:ref, /api/bugs/:ref/events,
 * /api/bugs/:ref/events/:id, /api/export/{bugs,events}.
 * Every route takes `Authorization: Bearer <admin token | project read key>` and an optional
 * `repo=owner/name`; errors are JSON `{ error, message, parameter? }`.
 */
export async function readRoutes(app: FastifyInstance, opts: ReadRoutesOptions): Promise<void> {
  const { db } = opts;
  const clock = opts.clock ?? (() => new Date());
  const stats = createStatsService(db);

  app.setErrorHandler(readErrorHandler);

  // Authenticate before looking at parameters: a stranger learns nothing, not even a 400.
  const readerOf = (request: FastifyRequest) =>
    authenticateReader(db, request.headers.authorization, opts.adminToken);

  app.get("/api/stats", async (request) => {
    const reader = await readerOf(request);
    const params = parseParams(statsParams, request.query);
    const projectIds = await projectsFor(db, reader, params.repo);
    const { from, to } = parseRange(params, clock());
    return stats.summary({
      projectIds,
      from,
      to,
      environment: params.environment,
      service: params.service,
      category: params.category,
    });
  });

  app.get("/api/bugs", async (request) => {
    const reader = await readerOf(request);
    const params = parseParams(bugsParams, request.query);
    const projectIds = await projectsFor(db, reader, params.repo);
    return stats.listBugs({ ...params, projectIds });
  });

  app.get<{ Params: { ref: string } }>("/api/bugs/:ref", async (request) => {
    const reader = await readerOf(request);
    const params = parseParams(bugParams, request.query);
    const projectIds = await projectsFor(db, reader, params.repo);
    const bugId = await resolveBug(db, projectIds, request.params.ref, "ref");
    const range = parseRange(params, clock());
    const bug = await stats.getBugDetail(bugId, range);
    if (!bug) throw new NotFoundError(`no bug ${request.params.ref} in this repository`);
    return { ...bug, ...(await bugGithubLinks(db, bugId)) };
  });

  app.get<{ Params: { ref: string; id: string } }>("/api/bugs/:ref/events/:id", async (request) => {
    const reader = await readerOf(request);
    const params = parseParams(eventParams, request.query);
    const projectIds = await projectsFor(db, reader, params.repo);
    const bugId = await resolveBug(db, projectIds, request.params.ref, "ref");
    const ref = parseEventRef(request.params.id);
    if (!ref) {
      throw new ParamError(
        "id",
        `"${request.params.id.slice(0, 80)}" is not an event id (a number, or 32 hex digits)`,
      );
    }
    const event = await stats.getEvent(bugId, ref);
    if (!event) {
      throw new NotFoundError(`${request.params.ref} has no stored event ${request.params.id}`);
    }
    return event;
  });

  app.get<{ Params: { ref: string } }>("/api/bugs/:ref/events", async (request) => {
    const reader = await readerOf(request);
    const params = parseParams(eventsParams, request.query);
    const projectIds = await projectsFor(db, reader, params.repo);
    const bugId = await resolveBug(db, projectIds, request.params.ref, "ref");
    return stats.listBugEvents({ bugId, limit: params.limit, cursor: params.cursor });
  });

  app.get("/api/export/bugs", async (request, reply) => {
    const reader = await readerOf(request);
    const params = parseParams(exportBugsParams, request.query);
    const projectIds = await projectsFor(db, reader, params.repo);
    const batches = streamBugs(db, {
      projectIds,
      status: params.status,
      severity: params.severity,
      category: params.category,
    });
    return sendExport(
      reply,
      "bugs",
      params.format,
      formatExport(batches, params.format, exportColumns("bugs", params.format)),
    );
  });

  app.get("/api/export/events", async (request, reply) => {
    const reader = await readerOf(request);
    const params = parseParams(exportEventsParams, request.query);
    const projectIds = await projectsFor(db, reader, params.repo);
    const bugId =
      params.bug === undefined ? undefined : await resolveBug(db, projectIds, params.bug, "bug");
    const batches = streamEvents(db, { projectIds, bugId, full: params.format !== "csv" });
    return sendExport(
      reply,
      "events",
      params.format,
      formatExport(batches, params.format, exportColumns("events", params.format)),
    );
  });
}

/** A bug ref (`B-007`) within the reader's one project. */
async function resolveBug(
  db: Kysely<Database>,
  projectIds: number[],
  ref: string,
  parameter: string,
): Promise<number> {
  const number = parseBugRef(ref);
  if (number === null) throw new ParamError(parameter, `"${ref}" is not a bug ref like B-007`);
  if (projectIds.length !== 1) {
    throw new ParamError("repo", "required with the admin token: bug refs are per repository");
  }
  const bug = await db
    .selectFrom("bugs")
    .select("id")
    .where("project_id", "=", projectIds[0] as number)
    .where("number", "=", number)
    .executeTakeFirst();
  if (!bug) throw new NotFoundError(`no bug ${ref} in this repository`);
  return bug.id;
}

class NotFoundError extends Error {
  override name = "NotFoundError";
}

function sendExport(
  reply: FastifyReply,
  what: string,
  format: ExportFormat,
  chunks: AsyncIterable<string>,
) {
  const extension = format === "ndjson" ? "ndjson" : format;
  reply
    .header("content-type", CONTENT_TYPES[format])
    .header("content-disposition", `attachment; filename="faultline-${what}.${extension}"`)
    .header("cache-control", "no-store");
  // Pulls one chunk (one keyset batch) at a time, as the socket drains: highWaterMark 1 keeps
  // read-ahead to a single batch.
  return reply.send(Readable.from(chunks, { highWaterMark: 1 }));
}

function readErrorHandler(
  this: FastifyInstance,
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof ReadAccessError) {
    reply.code(error.statusCode).send({ error: error.code, message: error.message });
  } else if (error instanceof ParamError) {
    reply
      .code(400)
      .send({ error: "invalid_parameter", parameter: error.parameter, message: error.message });
  } else if (error instanceof InvalidCursorError) {
    reply
      .code(400)
      .send({ error: "invalid_parameter", parameter: "cursor", message: error.message });
  } else if (error instanceof InvalidRangeError) {
    reply.code(400).send({ error: "invalid_parameter", parameter: "from", message: error.message });
  } else if (error instanceof NotFoundError) {
    reply.code(404).send({ error: "not_found", message: error.message });
  } else {
    request.log.error({ err: error }, "read API request failed");
    reply.code(500).send({ error: "internal", message: "internal error" });
  }
}

import { randomBytes, timingSafeEqual } from "node:crypto";
import cookie, { type CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { isCategory } from "../grouping/category.js";
import {
  InvalidCursorError,
  type StatsService,
  bugGithubLinks,
  createStatsService,
} from "../stats/index.js";
import {
  GitHubSignInError,
  authorizeUrl,
  exchangeCode,
  fetchUser,
  readableRepos,
} from "./github-sign-in.js";
import {
  type AccessibleProject,
  listAccessibleProjects,
  projectIdsForRepos,
} from "./project-access.js";
import { createSession, deleteSession, findSession } from "./session-store.js";
import type { DashboardSettings } from "./settings.js";
import { DEFAULT_TIME_RANGE, isTimeRangeKey, rangeWindow } from "./time-range.js";
import { bugPage } from "./views/bug-page.js";
import { type BugFilters, SEVERITIES, STATUSES, bugsPage } from "./views/bugs-page.js";
import { dashboardPage } from "./views/dashboard-page.js";
import { messagePage, setupNeededPage, signInPage } from "./views/notice-pages.js";

export interface DashboardOptions {
  db: Kysely<Database>;
  clock: () => Date;
  /** Absent or without `oauth`: every page explains how to configure sign-in. */
  settings?: DashboardSettings | undefined;
  stats?: StatsService | undefined;
}

export const SESSION_COOKIE = "faultline_session";
export const STATE_COOKIE = "faultline_oauth_state";
const CALLBACK_PATH = "/dashboard/auth/callback";
const STATE_TTL_S = 600;
/** Rows in each bug list. */
const LIST_LENGTH = 10;
const EVENTS_SHOWN = 20;
const BUGS_PER_PAGE = 50;
/** The bug page's chart: a week by the hour unless asked otherwise. */
const BUG_RANGE = "7d";

/**
 * /dashboard: GitHub sign-in (OAuth web flow with `state`), a server-side session holding the
 * projects the user may read, and a server-rendered page of their figures. Everything here is
 * scoped to this plugin: cookies, the form parser, security headers and the HTML error page.
 */
export async function dashboardRoutes(app: FastifyInstance, opts: DashboardOptions) {
  const { db, clock } = opts;
  const settings = opts.settings;
  const stats = opts.stats ?? createStatsService(db);
  const secure = settings?.publicUrl.startsWith("https:") ?? false;
  const sessionCookie = (maxAge: number): CookieSerializeOptions => ({
    path: "/dashboard",
    httpOnly: true,
    sameSite: "lax",
    secure,
    maxAge,
  });
  const stateCookie: CookieSerializeOptions = {
    path: "/dashboard/auth",
    httpOnly: true,
    sameSite: "lax",
    secure,
    maxAge: STATE_TTL_S,
  };

  // Scoped to these routes; reused if the app registered the cookie plugin globally already.
  if (!app.hasRequestDecorator("cookies")) await app.register(cookie);
  // The sign-out form posts an empty urlencoded body; nothing in it is read.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 4096 },
    (_request, _body, done) => done(null, {}),
  );
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header(
      "content-security-policy",
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'",
    );
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "same-origin");
    reply.header("cache-control", "no-store");
    return payload;
  });
  app.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error }, "dashboard request failed");
    page(reply, 500, messagePage("Something went wrong", "The error is in the server log."));
  });

  /** The request's session; without one, answers with the setup or sign-in page instead. */
  async function requireSession(request: FastifyRequest, reply: FastifyReply) {
    if (!settings?.oauth) {
      page(reply, 200, setupNeededPage(callbackUrl(request, settings)));
      return undefined;
    }
    const token = request.cookies[SESSION_COOKIE];
    const session = await findSession(db, token, clock());
    if (!session) {
      if (token) reply.clearCookie(SESSION_COOKIE, { path: "/dashboard" });
      const next = encodeURIComponent(request.url);
      page(reply, 200, signInPage(`/dashboard/login?next=${next}`));
    }
    return session;
  }

  app.get("/dashboard", async (request, reply) => {
    const session = await requireSession(request, reply);
    if (!session) return reply;
    const query = request.query as Record<string, unknown>;
    const repo = query.repo ?? "";
    const range = query.range ?? DEFAULT_TIME_RANGE;
    const category = query.category || undefined;
    if (
      typeof repo !== "string" ||
      !isTimeRangeKey(range) ||
      (category !== undefined && !isCategory(category))
    ) {
      return page(
        reply,
        400,
        messagePage(
          "Bad request",
          "Choose one repository, a range of 24h, 7d, 30d or 90d, and a category from the list.",
        ),
      );
    }
    const projects = await listAccessibleProjects(db, session.projectIds);
    const selected = repo ? findRepo(projects, repo) : undefined;
    if (repo && !selected) return repoNotFound(reply, repo);
    const { from, to } = rangeWindow(range, clock());
    const summary = await stats.summary({
      projectIds: selected ? [selected.id] : projects.map((p) => p.id),
      from,
      to,
      category,
      topLimit: LIST_LENGTH,
    });
    return page(
      reply,
      200,
      dashboardPage({
        login: session.login,
        projects,
        selected,
        range,
        category,
        summary,
        listLength: LIST_LENGTH,
      }),
    );
  });

  app.get("/dashboard/bugs", async (request, reply) => {
    const session = await requireSession(request, reply);
    if (!session) return reply;
    const query = request.query as Record<string, unknown>;
    const parsed = parseBugFilters(query);
    if (typeof parsed === "string") return page(reply, 400, messagePage("Bad request", parsed));
    const projects = await listAccessibleProjects(db, session.projectIds);
    const selected = parsed.repo ? findRepo(projects, parsed.repo) : undefined;
    if (parsed.repo && !selected) return repoNotFound(reply, parsed.repo);
    let found: Awaited<ReturnType<StatsService["listBugs"]>>;
    try {
      found = await stats.listBugs({
        projectIds: selected ? [selected.id] : projects.map((p) => p.id),
        ...parsed.filters,
        limit: BUGS_PER_PAGE,
        cursor: parsed.cursor,
      });
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      return page(reply, 400, messagePage("Bad request", "That page link is not valid any more."));
    }
    return page(
      reply,
      200,
      bugsPage({
        login: session.login,
        projects,
        selected,
        filters: parsed.filters,
        page: found,
        cursor: parsed.cursor,
      }),
    );
  });

  app.get("/dashboard/bug", async (request, reply) => {
    const session = await requireSession(request, reply);
    if (!session) return reply;
    const query = request.query as Record<string, unknown>;
    const number = typeof query.bug === "string" ? parseRef(query.bug) : undefined;
    const range = query.range ?? BUG_RANGE;
    const eventId = query.event === undefined ? undefined : parseId(query.event);
    const cursor = query.events;
    if (
      typeof query.repo !== "string" ||
      number === undefined ||
      !isTimeRangeKey(range) ||
      eventId === null ||
      (cursor !== undefined && typeof cursor !== "string")
    ) {
      return page(
        reply,
        400,
        messagePage(
          "Bad request",
          "Expected ?repo=owner/name&bug=B-1, optionally range=24h|7d|30d|90d and event=<id>.",
        ),
      );
    }
    const projects = await listAccessibleProjects(db, session.projectIds);
    const project = findRepo(projects, query.repo);
    if (!project) return repoNotFound(reply, query.repo);
    const bugId = await stats.findBugId(project.id, number);
    const bug =
      bugId === undefined
        ? undefined
        : await stats.getBugDetail(bugId, rangeWindow(range, clock()));
    if (bugId === undefined || !bug) {
      return page(
        reply,
        404,
        messagePage("Bug not found", `${project.fullName} has no bug B-${number}.`),
      );
    }
    const event = eventId === undefined ? bug.latestEvent : await stats.getEvent(bugId, eventId);
    if (!event && eventId !== undefined) {
      return page(
        reply,
        404,
        messagePage("Event not found", `${bug.ref} has no stored event ${eventId}.`),
      );
    }
    let events: Awaited<ReturnType<StatsService["listBugEvents"]>>;
    try {
      events = await stats.listBugEvents({ bugId, limit: EVENTS_SHOWN, cursor });
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      return page(reply, 400, messagePage("Bad request", "That page link is not valid any more."));
    }
    return page(
      reply,
      200,
      bugPage({
        login: session.login,
        bug,
        range,
        event: event ?? null,
        latest: eventId === undefined,
        events,
        eventsCursor: cursor,
        github: await bugGithubLinks(db, bugId),
      }),
    );
  });

  app.get("/dashboard/login", async (request, reply) => {
    if (!settings?.oauth) return reply.redirect("/dashboard", 303);
    const state = randomBytes(32).toString("base64url");
    const next = safeNext((request.query as Record<string, unknown>).next);
    reply.setCookie(
      STATE_COOKIE,
      `${state}.${Buffer.from(next).toString("base64url")}`,
      stateCookie,
    );
    const target = authorizeUrl(
      settings.githubUrl,
      settings.oauth.clientId,
      callbackUrl(request, settings),
      state,
    );
    return reply.redirect(target, 302);
  });

  app.get(CALLBACK_PATH, async (request, reply) => {
    if (!settings?.oauth) return page(reply, 200, setupNeededPage(callbackUrl(request, settings)));
    const query = request.query as Record<string, unknown>;
    const stored = parseStateCookie(request.cookies[STATE_COOKIE]);
    reply.clearCookie(STATE_COOKIE, { path: stateCookie.path });
    if (typeof query.error === "string") {
      return page(reply, 400, messagePage("Sign-in cancelled", "GitHub did not sign you in."));
    }
    const code = query.code;
    if (typeof code !== "string" || !code || !stateMatches(stored?.state, query.state)) {
      // No state cookie, or another one: a forged callback or a stale tab. Never exchange.
      return page(
        reply,
        400,
        messagePage(
          "Sign-in expired",
          "This sign-in link is invalid or was started elsewhere. Sign in again.",
        ),
      );
    }
    try {
      const token = await exchangeCode(
        settings.githubUrl,
        settings.oauth,
        code,
        callbackUrl(request, settings),
      );
      // The GitHub token lives only for this request: the session keeps what it allowed.
      const user = await fetchUser(settings.githubApiUrl, token);
      const repos = await readableRepos(settings.githubApiUrl, token);
      const projectIds = await projectIdsForRepos(db, repos);
      // Signing in again replaces the browser's previous session instead of leaving it live.
      await deleteSession(db, request.cookies[SESSION_COOKIE]);
      const session = await createSession(db, {
        login: user.login,
        userId: user.id,
        projectIds,
        now: clock(),
        ttlMs: settings.sessionTtlMs,
      });
      request.log.info(
        { login: user.login, repos: repos.length, projects: projectIds.length },
        "dashboard sign-in",
      );
      reply.setCookie(
        SESSION_COOKIE,
        session.token,
        sessionCookie(Math.floor(settings.sessionTtlMs / 1000)),
      );
      return reply.redirect(stored?.next ?? "/dashboard", 303);
    } catch (error) {
      if (!(error instanceof GitHubSignInError)) throw error;
      request.log.warn({ err: error }, "dashboard sign-in failed");
      const status = error.code === "bad_code" ? 400 : 502;
      return page(reply, status, messagePage("Sign-in failed", error.message));
    }
  });

  app.post("/dashboard/logout", async (request, reply) => {
    await deleteSession(db, request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: "/dashboard" });
    return reply.redirect("/dashboard", 303);
  });
}

/** Repositories match case-insensitively, as on GitHub. */
function findRepo(projects: readonly AccessibleProject[], fullName: string) {
  return projects.find((p) => p.fullName.toLowerCase() === fullName.toLowerCase());
}

/** Unknown and unreadable repositories answer alike: the page never confirms one exists. */
function repoNotFound(reply: FastifyReply, repo: string) {
  return page(
    reply,
    404,
    messagePage(
      "Repository not found",
      `No repository ${repo} that you can read reports to Faultline. If access was granted recently, sign out and in again.`,
    ),
  );
}

/** An event's row id from the URL; null when it is not one. */
function parseId(value: unknown): number | null {
  return typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : null;
}

const FILTER_TEXT_MAX = 200;

/** The bug list's query parameters, or a sentence saying what is wrong with them. */
function parseBugFilters(
  query: Record<string, unknown>,
): { repo: string | undefined; filters: BugFilters; cursor: string | undefined } | string {
  const text: Record<string, string | undefined> = {};
  for (const key of [
    "repo",
    "q",
    "status",
    "severity",
    "category",
    "service",
    "environment",
    "release",
    "cursor",
  ]) {
    const value = query[key];
    if (value === undefined) continue;
    if (typeof value !== "string") return `${key} was given more than once.`;
    if (value.length > FILTER_TEXT_MAX * 3) return `${key} is too long.`;
    const trimmed = value.trim();
    if (trimmed !== "") text[key] = trimmed.slice(0, key === "cursor" ? 500 : FILTER_TEXT_MAX);
  }
  const status = text.status;
  const severity = text.severity;
  const category = text.category;
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    return `Unknown status "${status}".`;
  }
  if (severity !== undefined && !(SEVERITIES as readonly string[]).includes(severity)) {
    return `Unknown severity "${severity}".`;
  }
  if (category !== undefined && !isCategory(category)) return `Unknown category "${category}".`;
  return {
    repo: text.repo,
    cursor: text.cursor,
    filters: {
      q: text.q,
      status: status as BugFilters["status"],
      severity: severity as BugFilters["severity"],
      category,
      service: text.service,
      environment: text.environment,
      release: text.release,
    },
  };
}

/** "B-007", "b-7" or "7" -> 7. */
function parseRef(ref: string): number | undefined {
  const match = /^(?:B-)?0*(\d{1,9})$/i.exec(ref.trim());
  const number = match ? Number(match[1]) : 0;
  return number > 0 ? number : undefined;
}

function page(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).type("text/html; charset=utf-8").send(body);
}

function callbackUrl(request: FastifyRequest, settings: DashboardSettings | undefined): string {
  // Without settings (not configured), show the URL this request came in on.
  const base = settings?.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${base}${CALLBACK_PATH}`;
}

/** Where to go after sign-in: a dashboard path of this server only, never another host. */
export function safeNext(value: unknown): string {
  if (typeof value !== "string") return "/dashboard";
  // Printable ASCII only (request URLs arrive percent-encoded): nothing that breaks a header.
  if (!/^[\x21-\x7e]+$/.test(value) || value.includes("\\")) return "/dashboard";
  if (!/^\/dashboard(?:[/?]|$)/.test(value)) return "/dashboard";
  if (value.startsWith("/dashboard/login") || value.startsWith("/dashboard/auth")) {
    return "/dashboard";
  }
  return value;
}

function parseStateCookie(value: string | undefined): { state: string; next: string } | undefined {
  if (!value) return undefined;
  const [state, encodedNext] = value.split(".", 2);
  if (!state) return undefined;
  const next = safeNext(Buffer.from(encodedNext ?? "", "base64url").toString("utf8"));
  return { state, next };
}

function stateMatches(expected: string | undefined, actual: unknown): boolean {
  if (!expected || typeof actual !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}

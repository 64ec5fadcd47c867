import type { ProbotOctokit } from "probot";
import { type AuthoredItem, isAuthoredByApp } from "../app-authored.js";

/**
 * Issue and comment creation that is never repeated blindly.
 *
 * A POST that GitHub answers 5xx (or that times out) may have created the issue or comment all
 * the same: @octokit/plugin-retry re-sent it, and two issues existed for one bug (issue #19). So
 * a create is sent once (retries off for it), and:
 *
 * - after an unclear failure (5xx, network error), and before any create of an outbox row that a
 *   previous claim may have run (it died or timed out after its write), the repository is
 *   searched for what that attempt may have made;
 * - what is searched for is a hidden marker in the body: an issue's own marker
 *   (`<!-- faultline:B-007 fp=… -->`, `<!-- faultline:digest -->`, …), and for comments one this
 *   module appends to every comment the outbox writes, naming the row
 *   (`<!-- faultline:comment row=42.1 -->`);
 * - issues are looked for in the repository's recent issues (newest first, created by the App
 *   when its login is known) and only then through search: GitHub's search index lags behind
 *   writes by seconds to minutes. Comments are looked for in the issue's comments since the row
 *   was written.
 */

type Octokit = InstanceType<typeof ProbotOctokit>;

/** What the request hook is given: the route's template and its parameters, not yet expanded. */
interface RequestOptions {
  method?: string;
  url?: string;
  owner?: string;
  repo?: string;
  issue_number?: number | string;
  body?: unknown;
  request?: Record<string, unknown>;
}

interface WithBody {
  body?: string | null;
  pull_request?: unknown;
}

export interface CreateOnceContext {
  /** Names the comments this row writes. */
  rowId: number;
  /** When the row was written: what its attempts made is not older (less a clock margin). */
  since: Date;
  /** A previous claim of the row may have made its writes: look before creating. */
  retried: boolean;
  /**
   * The rank of the row's next comment (1, 2, …), counted over every octokit of one attempt: the
   * same comment gets the same marker in every attempt.
   */
  nextComment?: () => number;
  /** The App's bot login (`name[bot]`), to list only its issues; undefined lists everyone's. */
  appLogin?: () => Promise<string | undefined>;
  /**
   * The App's id: when known, only an issue the App authored (isAuthoredByApp) is taken for one
   * an earlier attempt made; anyone can type a marker into an issue of their own.
   */
  appId?: number;
  log?: { warn(obj: unknown, msg?: string): void };
}

const ISSUES = /^\/repos\/[^/]+\/[^/]+\/issues$/;
const COMMENTS = /^\/repos\/[^/]+\/[^/]+\/issues\/[^/]+\/comments$/;
const FAULTLINE_MARKER = /<!--\s*faultline:[^>]*?-->/;
/** The GitHub clock and ours may disagree; what a create made is looked for this far back. */
const CLOCK_MARGIN_MS = 10 * 60 * 1000;
/** Pages of recent issues or comments read at most (100 each). */
const MAX_PAGES = 3;

/** The hidden marker of a comment: which outbox row wrote it, and its rank in that row. */
export function commentMarker(rowId: number, seq: number): string {
  return `<!-- faultline:comment row=${rowId}.${seq} -->`;
}

/** A failure after which the request may have been carried out: anything but a 4xx. */
export function mayHaveLanded(error: unknown): boolean {
  const status = (error as { status?: unknown } | undefined)?.status;
  return !(typeof status === "number" && status >= 400 && status < 500);
}

/** Installs the guard on an octokit used for one outbox row. */
export function createOnce<T extends Octokit>(octokit: T, context: CreateOnceContext): T {
  let comments = 0;
  const nextComment =
    context.nextComment ??
    (() => {
      comments += 1;
      return comments;
    });
  const since = new Date(context.since.getTime() - CLOCK_MARGIN_MS).toISOString();

  /** Made by the App: its id when known (#18's rule), else its login when known, else anyone. */
  function fromApp(item: AuthoredItem & { user?: { login?: string } | null }, creator?: string) {
    if (context.appId !== undefined) return isAuthoredByApp(item, context.appId);
    return !creator || item.user?.login === creator;
  }

  async function findIssue(options: RequestOptions, marker: string): Promise<unknown> {
    const creator = await context.appLogin?.().catch(() => undefined);
    const owner = String(options.owner);
    const repo = String(options.repo);
    for (let page = 1; page <= MAX_PAGES; page++) {
      const listed = await octokit.request("GET /repos/{owner}/{repo}/issues", {
        owner,
        repo,
        state: "all",
        sort: "created",
        direction: "desc",
        since,
        per_page: 100,
        page,
        ...(creator ? { creator } : {}),
      });
      const items: (WithBody & AuthoredItem)[] = listed.data;
      const found = items.find(
        (i) => !i.pull_request && (i.body ?? "").includes(marker) && fromApp(i, creator),
      );
      if (found) return found;
      if (items.length < 100) break;
    }
    const searched = await octokit.request("GET /search/issues", {
      q: `repo:${owner}/${repo} "${marker.replace(/"/g, "")}" in:body is:issue`,
      per_page: 20,
    });
    const hits: (WithBody & AuthoredItem)[] = searched.data.items;
    return hits.find((i) => (i.body ?? "").includes(marker) && fromApp(i, creator));
  }

  async function findComment(options: RequestOptions, marker: string): Promise<unknown> {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const listed = await octokit.request(
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
        {
          owner: String(options.owner),
          repo: String(options.repo),
          issue_number: Number(options.issue_number),
          since,
          per_page: 100,
          page,
        },
      );
      const items: WithBody[] = listed.data;
      const found = items.find((c) => (c.body ?? "").includes(marker));
      if (found) return found;
      if (items.length < 100) break;
    }
    return undefined;
  }

  octokit.hook.wrap("request", async (request, hookOptions) => {
    const options = hookOptions as typeof hookOptions & RequestOptions;
    if ((options.method ?? "").toUpperCase() !== "POST") return request(options);
    const url = options.url ?? "";
    let find: (() => Promise<unknown>) | undefined;
    if (ISSUES.test(url)) {
      const body = typeof options.body === "string" ? options.body : "";
      let marker = FAULTLINE_MARKER.exec(body)?.[0];
      if (!marker) {
        marker = `<!-- faultline:issue row=${context.rowId} -->`;
        options.body = `${marker}\n${body}`;
      }
      const m = marker;
      find = () => findIssue(options, m);
    } else if (COMMENTS.test(url)) {
      const marker = commentMarker(context.rowId, nextComment());
      const body = typeof options.body === "string" ? options.body : "";
      options.body = `${body}\n\n${marker}`;
      find = () => findComment(options, marker);
    } else {
      return request(options);
    }
    // What octokit.rest.issues.create / createComment would have answered (status aside).
    const found = (data: unknown) =>
      ({ status: 200, url, headers: {}, data }) as Awaited<ReturnType<typeof request>>;
    if (context.retried) {
      const existing = await find();
      if (existing) return found(existing);
    }
    try {
      // Sent once: a retry of this POST would be a second issue or comment. Set on the options
      // object itself: every hook of the chain is bound to it (before-after-hook), whatever is
      // passed to `request`; and a new `request` object, as Octokit shares its defaults' one
      // between requests.
      options.request = { ...options.request, retries: 0 };
      return await request(options);
    } catch (error) {
      if (!mayHaveLanded(error)) throw error;
      let existing: unknown;
      try {
        existing = await find();
      } catch {
        // GitHub still failing: the row is retried later, and that attempt looks first.
        throw error;
      }
      if (existing) {
        context.log?.warn(
          { err: error, url },
          "GitHub failed a create that it carried out: using what it made",
        );
        return found(existing);
      }
      throw error;
    }
  });
  return octokit;
}

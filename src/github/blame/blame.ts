/**
 * GitHub's blame of one file, through the GraphQL API (REST has no blame):
 * `repository.object(expression).blame(path).ranges`, each range with the commit that last
 * changed its lines, that commit's author and the pull request it came in.
 */
import type { OutboxOctokit } from "../outbox/worker.js";

export const BLAME_QUERY = `query FaultlineBlame($owner: String!, $name: String!, $expression: String!, $path: String!) {
  repository(owner: $owner, name: $name) {
    object(expression: $expression) {
      ... on Commit {
        oid
        blame(path: $path) {
          ranges {
            startingLine
            endingLine
            commit {
              oid
              url
              messageHeadline
              author { name user { login } }
              associatedPullRequests(first: 1) { nodes { number url title } }
            }
          }
        }
      }
    }
  }
}`;

/** A commit as the blame names it. */
export interface BlameCommit {
  oid: string;
  url: string;
  headline: string;
  authorName: string | null;
  authorLogin: string | null;
  pullRequest: { number: number; url: string; title: string } | null;
}

/** A file's blame, compact: ranges point into `commits` (a commit is listed once). */
export interface BlameResult {
  /** The commit the revision resolved to; null when the revision does not exist. */
  oid: string | null;
  /** The file is not in that commit (or the revision does not exist). */
  missing: boolean;
  /** The revision itself does not exist (a release naming a commit GitHub does not have). */
  revisionMissing?: boolean;
  /** [first line, last line, index into commits], 1-based and inclusive. */
  ranges: [number, number, number][];
  commits: BlameCommit[];
}

/** Ranges kept of a huge file: the blame of a generated 100,000-line file is not worth storing. */
const MAX_RANGES = 20_000;
const TEXT_LIMIT = 300;

interface RawRange {
  startingLine?: unknown;
  endingLine?: unknown;
  commit?: {
    oid?: unknown;
    url?: unknown;
    messageHeadline?: unknown;
    author?: { name?: unknown; user?: { login?: unknown } | null } | null;
    associatedPullRequests?: {
      nodes?: ({ number?: unknown; url?: unknown; title?: unknown } | null)[] | null;
    } | null;
  } | null;
}

const text = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? value.slice(0, TEXT_LIMIT) : null;

/** Reads the answer defensively: a field GitHub leaves out drops a range, never throws. */
export function parseBlame(data: unknown): BlameResult {
  const object = (data as { repository?: { object?: unknown } | null } | null)?.repository
    ?.object as { oid?: unknown; blame?: { ranges?: unknown } | null } | null | undefined;
  if (!object || typeof object.oid !== "string") {
    return { oid: null, missing: true, revisionMissing: true, ranges: [], commits: [] };
  }
  const raw = Array.isArray(object.blame?.ranges) ? (object.blame.ranges as RawRange[]) : [];
  const commits: BlameCommit[] = [];
  const index = new Map<string, number>();
  const ranges: [number, number, number][] = [];
  for (const range of raw.slice(0, MAX_RANGES)) {
    const start = range?.startingLine;
    const end = range?.endingLine;
    const c = range?.commit;
    const oid = text(c?.oid);
    if (!Number.isInteger(start) || !Number.isInteger(end) || !oid) continue;
    let i = index.get(oid);
    if (i === undefined) {
      const pr = c?.associatedPullRequests?.nodes?.[0];
      const prNumber = pr?.number;
      i = commits.length;
      index.set(oid, i);
      commits.push({
        oid,
        url: text(c?.url) ?? "",
        headline: text(c?.messageHeadline) ?? "",
        authorName: text(c?.author?.name),
        authorLogin: text(c?.author?.user?.login),
        pullRequest:
          pr && typeof prNumber === "number" && Number.isInteger(prNumber)
            ? { number: prNumber, url: text(pr.url) ?? "", title: text(pr.title) ?? "" }
            : null,
      });
    }
    ranges.push([start as number, end as number, i]);
  }
  return { oid: object.oid, missing: ranges.length === 0, ranges, commits };
}

/** The commit that last changed `line`, if the blame covers it. */
export function blameLine(result: BlameResult, line: number): BlameCommit | undefined {
  const range = result.ranges.find(([start, end]) => start <= line && line <= end);
  return range ? result.commits[range[2]] : undefined;
}

interface GraphqlErrorLike {
  name?: string;
  errors?: { type?: string; message?: string; path?: unknown }[];
  data?: unknown;
}

/**
 * Blames `path` at `expression` (a commit sha, or "HEAD" for the default branch). A path or
 * revision GitHub does not know is a result (`missing`), not an error; HTTP failures, rate
 * limits and other GraphQL errors are thrown, for the outbox to retry.
 */
export async function fetchBlame(
  octokit: Pick<OutboxOctokit, "graphql">,
  input: { owner: string; repo: string; expression: string; path: string },
): Promise<BlameResult> {
  try {
    const data = await octokit.graphql(BLAME_QUERY, {
      owner: input.owner,
      name: input.repo,
      expression: input.expression,
      path: input.path,
    });
    return parseBlame(data);
  } catch (error) {
    const e = error as GraphqlErrorLike;
    const errors = e.errors ?? [];
    if (
      e.name === "GraphqlResponseError" &&
      errors.length > 0 &&
      errors.every((x) => x.type === "NOT_FOUND")
    ) {
      // Not found under `blame`: the file; anywhere else: the revision (object) itself.
      const file = errors.some((x) => Array.isArray(x.path) && x.path.includes("blame"));
      return { oid: null, missing: true, revisionMissing: !file, ranges: [], commits: [] };
    }
    throw error;
  }
}

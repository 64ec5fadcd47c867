import type { components, paths } from "@octokit/openapi-types";
import nock from "nock";
import { API } from "./github.js";

/**
 * REST mocks checked against GitHub's OpenAPI description (@octokit/openapi-types): the route
 * and method must exist there, path parameters are the documented ones, the reply has the
 * documented response shape and a body matcher sees the documented request body. All of it is
 * checked by `tsc` over the tests, so a mock cannot drift from what GitHub really serves.
 */
export type Schema<K extends keyof components["schemas"]> = components["schemas"][K];

type Method = "get" | "post" | "patch" | "put" | "delete";
type Operation<P extends keyof paths, M extends Method> = M extends keyof paths[P]
  ? NonNullable<paths[P][M]>
  : never;
type PathParams<O> = O extends { parameters: { path: infer X } } ? X : Record<string, never>;
type RequestBody<O> = O extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;
type ResponseBody<O, S extends number> = O extends { responses: infer R }
  ? S extends keyof R
    ? R[S] extends { content: { "application/json": infer J } }
      ? J
      : undefined
    : never
  : never;

export function nockRoute<
  P extends keyof paths,
  M extends Method & keyof paths[P],
  S extends number = 200,
>(
  route: P,
  method: M,
  params: PathParams<Operation<P, M>>,
  reply: { status?: S; body: ResponseBody<Operation<P, M>, S>; query?: Record<string, string> },
  match?: (body: RequestBody<Operation<P, M>>) => boolean,
): nock.Scope {
  const path = (route as string).replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(String((params as Record<string, unknown>)[name])),
  );
  const scope = nock(API);
  const interceptor =
    method === "get" || method === "delete"
      ? scope[method](path)
      : scope[method as "post"](path, match ? (b: unknown) => match(b as never) : undefined);
  const withQuery = reply.query ? interceptor.query(reply.query) : interceptor;
  return withQuery.reply(reply.status ?? 200, reply.body as unknown as nock.Body);
}

/** A GitHub error answer (5xx, 403 secondary rate limit, 404) on a documented route. */
export function nockRouteError<P extends keyof paths, M extends Method & keyof paths[P]>(
  route: P,
  method: M,
  params: PathParams<Operation<P, M>>,
  status: number,
  headers: Record<string, string> = {},
): nock.Scope {
  const path = (route as string).replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(String((params as Record<string, unknown>)[name])),
  );
  return nock(API)
    .intercept(path, method.toUpperCase())
    .query(true)
    .reply(
      status,
      { message: status === 403 ? "You have exceeded a secondary rate limit" : "error" },
      headers,
    );
}

const USER: Schema<"simple-user"> = {
  login: "octocat",
  id: 1,
  node_id: "MDQ6VXNlcjE=",
  avatar_url: "https://github.com/images/error/octocat_happy.gif",
  gravatar_id: "",
  url: "https://api.github.com/users/octocat",
  html_url: "https://github.com/octocat",
  followers_url: "https://api.github.com/users/octocat/followers",
  following_url: "https://api.github.com/users/octocat/following{/other_user}",
  gists_url: "https://api.github.com/users/octocat/gists{/gist_id}",
  starred_url: "https://api.github.com/users/octocat/starred{/owner}{/repo}",
  subscriptions_url: "https://api.github.com/users/octocat/subscriptions",
  organizations_url: "https://api.github.com/users/octocat/orgs",
  repos_url: "https://api.github.com/users/octocat/repos",
  events_url: "https://api.github.com/users/octocat/events{/privacy}",
  received_events_url: "https://api.github.com/users/octocat/received_events",
  type: "User",
  site_admin: false,
};

export function fakeUser(login: string, type = "User"): Schema<"simple-user"> {
  return { ...USER, login, type, html_url: `https://github.com/${login}` };
}

/** GET /app: the authenticated App. */
export function fakeApp(slug: string, id: number): Schema<"integration"> {
  return {
    id,
    slug,
    node_id: "MDExOkludGVncmF0aW9uMQ==",
    client_id: "Iv1.8a61f9b3a7aba766",
    owner: fakeUser("octo-org", "Organization"),
    name: "Faultline",
    description: "Groups production errors into known bugs.",
    external_url: "https://example.com",
    html_url: `https://github.com/apps/${slug}`,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    permissions: { issues: "write", metadata: "read", contents: "read", pull_requests: "read" },
    events: ["issues", "issue_comment", "pull_request", "push"],
  };
}

/** One commit of GET /repos/{owner}/{repo}/pulls/{pull_number}/commits. */
export function fakeCommit(sha: string, message: string): Schema<"commit"> {
  const url = `https://api.github.com/repos/octo-org/shop/commits/${sha}`;
  return {
    url,
    sha,
    node_id: "MDY6Q29tbWl0",
    html_url: `https://github.com/octo-org/shop/commit/${sha}`,
    comments_url: `${url}/comments`,
    commit: {
      url: `https://api.github.com/repos/octo-org/shop/git/commits/${sha}`,
      author: { name: "Bob", email: "bob@example.com", date: "2026-03-01T10:00:00Z" },
      committer: { name: "Bob", email: "bob@example.com", date: "2026-03-01T10:00:00Z" },
      message,
      comment_count: 0,
      tree: { sha: "9c48853fa3dc5c1c3d6f1f1cd1f2743e72652840", url: `${url}/tree` },
    },
    author: fakeUser("bob"),
    committer: fakeUser("bob"),
    parents: [],
  };
}

/** POST /repos/{owner}/{repo}/issues/{issue_number}/comments: the comment created. */
export function fakeComment(issueNumber: number, body: string): Schema<"issue-comment"> {
  return {
    id: 1,
    node_id: "MDEyOklzc3VlQ29tbWVudDE=",
    url: "https://api.github.com/repos/octo-org/shop/issues/comments/1",
    html_url: `https://github.com/octo-org/shop/issues/${issueNumber}#issuecomment-1`,
    issue_url: `https://api.github.com/repos/octo-org/shop/issues/${issueNumber}`,
    body,
    user: fakeUser("faultline[bot]", "Bot"),
    created_at: "2026-03-01T12:00:00Z",
    updated_at: "2026-03-01T12:00:00Z",
    author_association: "NONE",
  };
}

/** PATCH /repos/{owner}/{repo}/issues/{issue_number}: the issue as it is now. */
export function fakeIssue(number: number, state: "open" | "closed"): Schema<"issue"> {
  const url = `https://api.github.com/repos/octo-org/shop/issues/${number}`;
  return {
    id: number,
    node_id: "MDU6SXNzdWUx",
    url,
    repository_url: "https://api.github.com/repos/octo-org/shop",
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `https://github.com/octo-org/shop/issues/${number}`,
    number,
    state,
    state_reason: state === "closed" ? "completed" : null,
    title: "B-001: TypeError",
    user: fakeUser("faultline[bot]", "Bot"),
    labels: [],
    assignee: null,
    milestone: null,
    locked: false,
    comments: 0,
    closed_at: state === "closed" ? "2026-03-01T12:00:00Z" : null,
    created_at: "2026-03-01T10:00:00Z",
    updated_at: "2026-03-01T12:00:00Z",
    author_association: "NONE",
  };
}

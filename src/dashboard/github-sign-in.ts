/**
 * GitHub's OAuth web flow for a GitHub App's user-to-server token, and what that token may read:
 * the repositories of the App's installations the user can access. Plain fetch: three endpoints,
 * and base URLs that tests and GitHub Enterprise set.
 */

export type SignInErrorCode = "bad_code" | "github_unavailable" | "github_error";

export class GitHubSignInError extends Error {
  override name = "GitHubSignInError";
  constructor(
    readonly code: SignInErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface GitHubUser {
  login: string;
  id: number;
}

export interface ReadableRepo {
  id: number;
  fullName: string;
}

const TIMEOUT_MS = 10_000;
/** 100 per page: enough pages for 10,000 repositories per installation. */
const MAX_PAGES = 100;

export function authorizeUrl(
  githubUrl: string,
  clientId: string,
  redirectUri: string,
  state: string,
): string {
  const url = new URL(`${githubUrl}/login/oauth/authorize`);
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("state", state);
  url.searchParams.set("allow_signup", "false");
  return url.href;
}

/** The code from the callback, exchanged server-side (the secret never reaches the browser). */
export async function exchangeCode(
  githubUrl: string,
  client: OAuthClient,
  code: string,
  redirectUri: string,
): Promise<string> {
  const response = await call(`${githubUrl}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      code,
      redirect_uri: redirectUri,
    }),
  });
  if (response.status >= 500) {
    throw new GitHubSignInError("github_unavailable", `GitHub answered ${response.status}`);
  }
  const body = (await readJson(response)) as {
    access_token?: unknown;
    error?: unknown;
    error_description?: unknown;
  };
  // GitHub answers 200 with {error} for a bad or expired code.
  if (typeof body.access_token === "string" && body.access_token) return body.access_token;
  if (body.error === "bad_verification_code") {
    throw new GitHubSignInError("bad_code", "the sign-in code is invalid or expired");
  }
  const reason = typeof body.error_description === "string" ? body.error_description : body.error;
  const hint = "check GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and the App's callback URL";
  throw new GitHubSignInError(
    "github_error",
    `GitHub refused the sign-in (${String(reason ?? response.status)}): ${hint}`,
  );
}

export async function fetchUser(githubApiUrl: string, token: string): Promise<GitHubUser> {
  const body = (await readJson(await apiGet(`${githubApiUrl}/user`, token))) as {
    login?: unknown;
    id?: unknown;
  };
  if (typeof body.login !== "string" || typeof body.id !== "number") {
    throw new GitHubSignInError("github_error", "GitHub's /user answer has no login or id");
  }
  return { login: body.login, id: body.id };
}

/** Every repository the user can read within the App's installations (all pages). */
export async function readableRepos(githubApiUrl: string, token: string): Promise<ReadableRepo[]> {
  const installations = await paginate(
    githubApiUrl,
    `${githubApiUrl}/user/installations?per_page=100`,
    token,
    "installations",
  );
  const repos = new Map<number, ReadableRepo>();
  for (const installation of installations) {
    const id = (installation as { id?: unknown }).id;
    if (typeof id !== "number") continue;
    const items = await paginate(
      githubApiUrl,
      `${githubApiUrl}/user/installations/${id}/repositories?per_page=100`,
      token,
      "repositories",
    );
    for (const item of items) {
      const repo = item as { id?: unknown; full_name?: unknown };
      if (typeof repo.id === "number" && typeof repo.full_name === "string") {
        repos.set(repo.id, { id: repo.id, fullName: repo.full_name });
      }
    }
  }
  return [...repos.values()];
}

/** Follows Link rel="next", only on the API's own origin (the token must not leave it). */
async function paginate(
  githubApiUrl: string,
  firstUrl: string,
  token: string,
  field: string,
): Promise<unknown[]> {
  const origin = new URL(githubApiUrl).origin;
  const items: unknown[] = [];
  let url: string | undefined = firstUrl;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const response = await apiGet(url, token);
    const body = (await readJson(response)) as Record<string, unknown>;
    const list = body[field];
    if (!Array.isArray(list)) {
      throw new GitHubSignInError("github_error", `GitHub's answer has no "${field}" list`);
    }
    items.push(...list);
    const next = nextLink(response.headers.get("link"));
    url = next && new URL(next).origin === origin ? next : undefined;
  }
  return items;
}

export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

async function apiGet(url: string, token: string): Promise<Response> {
  const response = await call(url, {
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${token}`,
      "x-github-api-version": "2022-11-28",
      "user-agent": "faultline-dashboard",
    },
  });
  if (!response.ok) {
    throw new GitHubSignInError(
      response.status >= 500 ? "github_unavailable" : "github_error",
      `GitHub answered ${response.status} to GET ${new URL(url).pathname}`,
    );
  }
  return response;
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new GitHubSignInError(
      "github_unavailable",
      `cannot reach GitHub at ${new URL(url).origin} (${(error as Error).message})`,
    );
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new GitHubSignInError(
      response.status >= 500 ? "github_unavailable" : "github_error",
      `GitHub answered ${response.status} without JSON`,
    );
  }
}

import { randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small stand-in for github.com (OAuth authorize + access_token) and its REST API (user,
 * installations and their repositories, paginated) on a loopback port, for a real browser to
 * sign in through. Checks what GitHub checks: client id and secret, the one-time code, the
 * redirect URI and the bearer token.
 */
export interface FakeGitHubOptions {
  clientId: string;
  clientSecret: string;
  user: { login: string; id: number };
  /** Repositories per installation id; each installation's list is served one repo per page. */
  installations: Record<number, { id: number; full_name: string }[]>;
}

export interface FakeGitHub {
  /** Web base URL (authorize, access_token). */
  url: string;
  /** API base URL (GHE style: <url>/api/v3). */
  apiUrl: string;
  /** Requests received, "METHOD /path?query", in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const codes = new Map<string, string>(); // code -> redirect_uri it was issued for
  const token = `ghu_${randomBytes(12).toString("hex")}`;
  const requests: string[] = [];
  let base = "";

  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", base);
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const redirect = url.searchParams.get("redirect_uri") ?? "";
      const state = url.searchParams.get("state") ?? "";
      if (url.searchParams.get("client_id") !== options.clientId || !redirect || !state) {
        return sendHtml(res, 400, "<h1>Bad authorize request</h1>");
      }
      const code = randomBytes(10).toString("hex");
      codes.set(code, redirect);
      const back = new URL(redirect);
      back.searchParams.set("code", code);
      back.searchParams.set("state", state);
      const href = back.href.replaceAll("&", "&amp;");
      return sendHtml(
        res,
        200,
        `<h1>Authorize Faultline</h1><p>Signed in as ${options.user.login}.</p><a id="authorize" href="${href}">Authorize</a>`,
      );
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const body = JSON.parse(await readBody(req)) as Record<string, string>;
      const issuedFor = codes.get(body.code ?? "");
      codes.delete(body.code ?? "");
      const ok =
        body.client_id === options.clientId &&
        body.client_secret === options.clientSecret &&
        issuedFor !== undefined &&
        issuedFor === body.redirect_uri;
      return ok
        ? send(res, 200, { access_token: token, token_type: "bearer", scope: "" })
        : send(res, 200, { error: "bad_verification_code" });
    }
    if (!url.pathname.startsWith("/api/v3/")) return send(res, 404, { message: "Not Found" });
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(res, 401, { message: "Bad credentials" });
    }
    const path = url.pathname.slice("/api/v3".length);
    if (path === "/user") return send(res, 200, options.user);
    if (path === "/user/installations") {
      const all = Object.keys(options.installations).map((id) => ({ id: Number(id) }));
      return sendPage(res, url, all, "installations", 1);
    }
    const match = /^\/user\/installations\/(\d+)\/repositories$/.exec(path);
    const repos = match ? options.installations[Number(match[1])] : undefined;
    if (repos) return sendPage(res, url, repos, "repositories", 1);
    return send(res, 404, { message: "Not Found" });
  }

  /** GitHub-style pagination with a Link header; `size` items per page. */
  function sendPage(res: ServerResponse, url: URL, all: unknown[], field: string, size: number) {
    const page = Number(url.searchParams.get("page") ?? "1");
    const items = all.slice((page - 1) * size, page * size);
    if (page * size < all.length) {
      const next = new URL(url);
      next.searchParams.set("page", String(page + 1));
      res.setHeader("link", `<${next.href}>; rel="next"`);
    }
    send(res, 200, { total_count: all.length, [field]: items });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    apiUrl: `${base}/api/v3`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

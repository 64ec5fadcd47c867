import Bottleneck from "bottleneck";
import { type Probot, ProbotOctokit } from "probot";

/**
 * Probot's Octokit with @octokit/plugin-throttling's own spacing of writes lifted: it held every
 * write 1 s apart and every issue or comment creation 3 s apart (process-wide), which, with a
 * search per issue (2 s apart), kept issue creation near 0.27 issues/s (issue #19). The outbox
 * paces its writes by GitHub's documented limits instead, across replicas
 * (outbox/write-pacing.ts). The plugin still serialises writes in a process (one at a time, as
 * GitHub asks) and still waits out primary and secondary rate limits when GitHub reports them.
 */
const writes = new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 });
const notifications = new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 });

/** Told about each GitHub API answer (metrics): method, status (0: none), headers. */
export type GithubRequestObserver = (
  method: string,
  status: number,
  headers: Record<string, unknown> | undefined,
) => void;

let requestObserver: GithubRequestObserver | undefined;

/** Sets (or clears) the observer of every FaultlineOctokit's requests. */
export function observeGithubRequests(observer: GithubRequestObserver | undefined): void {
  requestObserver = observer;
}

interface HookedOctokit {
  hook: {
    wrap(
      name: "request",
      fn: (
        request: (options: { method: string }) => Promise<{ status: number; headers: object }>,
        options: { method: string },
      ) => Promise<unknown>,
    ): void;
  };
}

/** Reports each request's answer to the observer; changes nothing else. */
function requestObserverPlugin(octokit: HookedOctokit) {
  octokit.hook.wrap("request", async (request, options) => {
    try {
      const response = await request(options);
      requestObserver?.(
        options.method,
        response.status,
        response.headers as Record<string, unknown>,
      );
      return response;
    } catch (error) {
      const e = error as { status?: unknown; response?: { headers?: Record<string, unknown> } };
      requestObserver?.(
        options.method,
        typeof e.status === "number" ? e.status : 0,
        e.response?.headers,
      );
      throw error;
    }
  });
}

export const FaultlineOctokit = ProbotOctokit.plugin(
  requestObserverPlugin as unknown as Parameters<typeof ProbotOctokit.plugin>[0],
).defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: {
    ...(options.throttle as Record<string, unknown> | undefined),
    write: writes,
    notifications,
  },
}));

/**
 * The App's bot login (`<slug>[bot]`), asked once from GitHub (and again after a failure): the
 * outbox lists the App's own recent issues when a create may have landed (outbox/create-once.ts).
 */
export function appLoginOf(probot: Probot): () => Promise<string | undefined> {
  let login: Promise<string | undefined> | undefined;
  return () => {
    login ??= (async () => {
      const app = await probot.auth();
      const { data } = await app.rest.apps.getAuthenticated();
      return data?.slug ? `${data.slug}[bot]` : undefined;
    })().catch(() => {
      login = undefined;
      return undefined;
    });
    return login;
  };
}

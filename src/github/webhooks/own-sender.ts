/**
 * Faultline ignores the webhooks its own App caused (its bot closing a duplicate, reopening on
 * a regression, answering a command) and applies everything else, other bots included: a stale
 * bot or a workflow closing an issue (`github-actions[bot]`) must resolve the bug like a person.
 * The App's bot user is `<slug>[bot]`; the slug comes from the settings or, once, from GitHub.
 */

export interface Sender {
  login?: string | null;
  type?: string | null;
}

export interface OwnSenderCheck {
  /** True when the event was caused by Faultline's own App. */
  isOwn(
    sender: Sender | null | undefined,
    viaApp?: { id?: number | null } | null,
  ): Promise<boolean>;
}

export interface OwnSenderOptions {
  appId?: number | undefined;
  appSlug?: string | undefined;
  /** Reads the App's slug from GitHub (`GET /app`); called again after a failure. */
  fetchSlug?: () => Promise<string>;
  /** Least time between two tries of fetchSlug after a failure. */
  retryMs?: number;
  clock?: () => Date;
  log?: { warn(obj: unknown, msg?: string): void };
}

export function createOwnSenderCheck(options: OwnSenderOptions): OwnSenderCheck {
  let slug = options.appSlug?.trim().toLowerCase() || undefined;
  let pending: Promise<string | undefined> | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;
  const clock = options.clock ?? (() => new Date());
  const retryMs = options.retryMs ?? 60_000;

  async function knownSlug(): Promise<string | undefined> {
    if (slug || !options.fetchSlug) return slug;
    if (clock().getTime() - failedAt < retryMs) return undefined;
    pending ??= options.fetchSlug().then(
      (found) => {
        slug = found.toLowerCase();
        return slug;
      },
      (error: unknown) => {
        failedAt = clock().getTime();
        options.log?.warn({ err: error }, "could not read the App's slug from GitHub");
        return undefined;
      },
    );
    const found = await pending;
    pending = undefined;
    return found;
  }

  return {
    async isOwn(sender, viaApp) {
      if (options.appId !== undefined && viaApp?.id === options.appId) return true;
      if (sender?.type !== "Bot" || !sender.login) return false;
      const own = await knownSlug();
      // Unknown slug (GitHub unreachable): applied. Faultline's own changes are already in the
      // bug's state (a reopened issue, a severity label), so applying one again does no harm.
      return own !== undefined && sender.login.toLowerCase() === `${own}[bot]`;
    },
  };
}

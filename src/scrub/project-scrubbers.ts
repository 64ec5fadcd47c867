import { LRUCache } from "lru-cache";
import { ScrubConfigError } from "./scrub-config-error.js";
import { type Scrubber, createScrubber } from "./scrubber.js";

/** The `scrub` section of a repo config (`.github/faultline.yml`). */
export interface ScrubSettings {
  extra_keys: string[];
  extra_patterns: string[];
  ip_addresses: boolean;
}

export interface ProjectScrubbers {
  /** The scrubber of the project's current repo config. */
  get(projectId: number): Promise<Scrubber>;
}

/**
 * One scrubber per distinct `scrub` section, compiled once and shared by the projects that have
 * the same settings (most have none). Keyed by the settings, not the config object: a config
 * re-read from the database every 30 s must not recompile the regexes or empty the scrubber's
 * cache of clean strings.
 */
export function createProjectScrubbers(
  scrubSettingsOf: (projectId: number) => Promise<ScrubSettings>,
  options: { max?: number } = {},
): ProjectScrubbers {
  const bySettings = new LRUCache<string, Scrubber>({ max: options.max ?? 1000 });
  // The same settings object comes back for every report until the config is re-read.
  const byObject = new WeakMap<ScrubSettings, Scrubber>();
  return {
    async get(projectId) {
      const settings = await scrubSettingsOf(projectId);
      const seen = byObject.get(settings);
      if (seen) return seen;
      const key = JSON.stringify([
        settings.extra_keys,
        settings.extra_patterns,
        settings.ip_addresses,
      ]);
      let scrubber = bySettings.get(key);
      if (!scrubber) {
        scrubber = buildScrubber(settings);
        bySettings.set(key, scrubber);
      }
      byObject.set(settings, scrubber);
      return scrubber;
    },
  };
}

function buildScrubber(settings: ScrubSettings): Scrubber {
  const options = {
    extraKeys: settings.extra_keys,
    scrubIpAddresses: settings.ip_addresses,
  };
  try {
    return createScrubber({ ...options, extraPatterns: settings.extra_patterns });
  } catch (error) {
    // Config validation reports and drops such patterns; should one slip through, the others
    // still apply: a report is never refused, nor stored with less scrubbing than asked for.
    if (!(error instanceof ScrubConfigError)) throw error;
    const bad = new Set(error.patterns);
    return createScrubber({
      ...options,
      extraPatterns: settings.extra_patterns.filter((p) => !bad.has(p)),
    });
  }
}

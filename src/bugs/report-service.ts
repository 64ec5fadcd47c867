import type { Kysely, Transaction } from "kysely";
import { type Database, isDatabaseUnavailable } from "../db/index.js";
import {
  BUILT_IN_CLASSIFIER,
  type BugClassifier,
  type ErrorEvent,
  type GroupingRules,
  NO_GROUPING_RULES,
  computeFingerprint,
  computePreviousFingerprint,
  culprit,
  titleFor,
  urlPattern,
} from "../grouping/index.js";
import { type Scrubber, createScrubber } from "../scrub/index.js";
import {
  type GroupCommitterOptions,
  StoreUnavailableError,
  createGroupCommitter,
} from "./group-committer.js";
import {
  type GroupingTransition,
  loadGroupingTransition,
  transitionActive,
} from "./grouping-transition.js";
import { KnownTargets } from "./known-targets.js";
import { OutboxPlan } from "./outbox-plan.js";
import { KnownTargetsMiss, MergedMeanwhile, recordOccurrences } from "./record-batch.js";
import {
  DuplicateEventRace,
  type Occurrence,
  type OccurrenceOutcome,
} from "./record-occurrence.js";

/**
 * Work that must commit together with an occurrence (outbox rows for GitHub, notifications).
 * Runs inside the report's transaction: if it fails, the report fails and nothing is written.
 * Reports are committed in groups: an effect runs once per bug per group, with an outcome
 * aggregated over the group (`previousOccurrenceCount` -> `bug.occurrenceCount` is the range the
 * group added; isNew/isRegression if any report created/reopened the bug) and the first
 * occurrence of that bug in the group. Outbox rows go into `outbox` (the transaction's plan),
 * written in one statement once every effect of the group has run.
 */
export type OccurrenceEffect = (
  trx: Transaction<Database>,
  outcome: OccurrenceOutcome,
  occurrence: Occurrence,
  outbox: OutboxPlan,
) => Promise<void>;

/** What the reporting client is told, after the write is committed. */
export interface ReportResult {
  eventId: string;
  bug: string;
  bugNumber: number;
  status: string;
  /** The bug existed before this report: the client may show a "known issue" page. */
  known: boolean;
  occurrences: number;
  issueUrl: string | null;
  duplicate: boolean;
}

export interface ReportServiceDeps {
  db: Kysely<Database>;
  clock?: () => Date;
  effects?: OccurrenceEffect[];
  /**
   * The scrubber of a project (its repo config's `scrub` section): removes secrets and PII
   * before anything is stored. The default rules for every project when not given.
   */
  scrubberFor?: (projectId: number) => Scrubber | Promise<Scrubber>;
  /** The project's grouping rules (its repo config's `grouping` section); none when not given. */
  groupingFor?: (projectId: number) => GroupingRules | Promise<GroupingRules>;
  /**
   * How the project's new bugs are classified (its repo config's `categories.rules` and
   * `severity_rules`); the built-in category and the level's severity when not given.
   */
  classifierFor?: (projectId: number) => BugClassifier | Promise<BugClassifier>;
  /** Days a grouping transition lasts once it starts (grouping-transition.ts); default 90. */
  groupingTransitionDays?: number;
  /** Group commit limits: batch size, queue length (backpressure), transactions in flight. */
  groupCommit?: Pick<
    GroupCommitterOptions<unknown, unknown>,
    "maxBatch" | "maxQueue" | "maxInFlight"
  >;
  /** Told when a group failed and its reports are stored one by one. */
  onBatchFailure?: (error: unknown, size: number) => void;
  /** Told about each committed group transaction: its reports and how long it took (metrics). */
  onGroupCommit?: (size: number, ms: number) => void;
  /**
   * Sampling and rate limits (ingest/admission): whether the event row is stored. The bug counts
   * the occurrence either way. Every event is stored when not given.
   */
  admission?: {
    storeEvent(occurrence: Omit<Occurrence, "storeEvent">): Promise<boolean>;
  };
}

export interface ReportService {
  /** Groups and stores one report; resolves once it is committed. */
  submit(projectId: number, event: ErrorEvent): Promise<ReportResult>;
  /** Resolves once every report submitted so far is committed (or failed). */
  flush(): Promise<void>;
  /** Refuses new reports (StoreUnavailableError "closing"), then drains the queue. */
  close(): Promise<void>;
}

/** How an event is grouped besides its own content. */
export interface GroupOptions {
  /** The project's grouping rules. */
  rules?: GroupingRules;
  /** Also compute the previous grouping version's hash (a grouping transition is running). */
  withPrevious?: boolean;
  /** How a new bug is classified (category, starting severity); built-in when not given. */
  classifier?: BugClassifier;
}

/** Groups an event: fingerprint, title, culprit, and how a new bug of it is classified. Pure. */
export function groupEvent(
  projectId: number,
  event: ErrorEvent,
  receivedAt: Date,
  options: GroupOptions = {},
): Omit<Occurrence, "storeEvent"> {
  const rules = options.rules ?? NO_GROUPING_RULES;
  const fingerprint = computeFingerprint(event, { rules });
  const occurrence: Omit<Occurrence, "storeEvent"> = {
    projectId,
    event,
    fingerprint: fingerprint.hash,
    fingerprintVersion: fingerprint.version,
    grouping: {
      version: fingerprint.version,
      basis: fingerprint.basis,
      parts: fingerprint.parts,
      ...(fingerprint.rule !== undefined ? { rule: fingerprint.rule } : {}),
    },
    title: titleFor(event),
    culprit: culprit(event, rules.inApp),
    classifier: options.classifier ?? BUILT_IN_CLASSIFIER,
    urlPattern: event.request?.url ? urlPattern(event.request.url) : undefined,
    receivedAt,
  };
  if (options.withPrevious) occurrence.previousFingerprint = computePreviousFingerprint(event);
  return occurrence;
}

export function toReportResult(outcome: OccurrenceOutcome, eventId: string): ReportResult {
  return {
    eventId,
    bug: outcome.bug.ref,
    bugNumber: outcome.bug.number,
    status: outcome.bug.status,
    known: !outcome.isNew,
    occurrences: outcome.bug.occurrenceCount,
    issueUrl: outcome.bug.issueUrl,
    duplicate: outcome.duplicate,
  };
}

/**
 * A restart or failover of the database fails the write with a connection error (57P01, a reset
 * socket, a refused connect): the client is told 503 + Retry-After, not 500. If the COMMIT itself
 * was cut, the group may have been stored; the client's retry carries the same event id and is
 * counted once.
 */
async function unavailableAs503<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    throw new StoreUnavailableError(
      "database_unavailable",
      "the database is unavailable (restarting?): nothing was stored, retry shortly",
      1,
      { cause: error },
    );
  }
}

export function createReportService(deps: ReportServiceDeps): ReportService {
  const clock = deps.clock ?? (() => new Date());
  const effects = deps.effects ?? [];
  const defaultScrubber = createScrubber();
  const scrubberFor = deps.scrubberFor ?? (() => defaultScrubber);
  const groupingFor = deps.groupingFor ?? (() => NO_GROUPING_RULES);
  const classifierFor = deps.classifierFor ?? (() => BUILT_IN_CLASSIFIER);

  // Read once (and started, the first time a new grouping version meets older bugs); retried
  // after a failure, so that a database down at start does not leave the transition off.
  let transition: GroupingTransition | undefined;
  let loadingTransition: Promise<GroupingTransition> | undefined;
  const groupingTransition = (now: Date): GroupingTransition | Promise<GroupingTransition> => {
    if (transition) return transition;
    loadingTransition ??= loadGroupingTransition(deps.db, now, deps.groupingTransitionDays).then(
      (loaded) => {
        transition = loaded;
        return loaded;
      },
      (error) => {
        loadingTransition = undefined;
        throw error;
      },
    );
    return loadingTransition;
  };

  // Reports between submit() and the committer's queue (awaiting their project's settings):
  // flush() and close() wait for them, so that a report submitted before either is in it.
  const preparing = new Set<Promise<unknown>>();
  let closing = false;

  async function prepare(projectId: number, rawEvent: ErrorEvent) {
    // Scrubbed first: grouping, storage and GitHub only ever see the filtered event.
    const found = scrubberFor(projectId);
    // No await for settings at hand: the report joins the queue in the caller's turn.
    const scrubber = found instanceof Promise ? await found : found;
    const event = scrubber.scrubEvent(rawEvent);
    const foundRules = groupingFor(projectId);
    const rules = foundRules instanceof Promise ? await foundRules : foundRules;
    const foundClassifier = classifierFor(projectId);
    const classifier = foundClassifier instanceof Promise ? await foundClassifier : foundClassifier;
    const now = clock();
    const foundTransition = groupingTransition(now);
    const state = foundTransition instanceof Promise ? await foundTransition : foundTransition;
    const grouped = groupEvent(projectId, event, now, {
      rules,
      classifier,
      withPrevious: transitionActive(state, now),
    });
    const storeEvent = deps.admission ? await deps.admission.storeEvent(grouped) : true;
    return { ...grouped, storeEvent };
  }

  // Fingerprint -> bug, so that a group of known errors skips its lookup (known-targets.ts).
  const knownTargets = new KnownTargets();

  async function storeGroup(
    occurrences: readonly Occurrence[],
    known: KnownTargets | undefined,
  ): Promise<OccurrenceOutcome[]> {
    const started = performance.now();
    const outbox = new OutboxPlan();
    const outcomes = await deps.db.transaction().execute(async (trx) => {
      const { outcomes, perBug } = await recordOccurrences(trx, occurrences, known);
      for (const { outcome, occurrence } of perBug) {
        for (const effect of effects) await effect(trx, outcome, occurrence, outbox);
      }
      await outbox.write(trx);
      return outcomes;
    });
    outbox.committed();
    deps.onGroupCommit?.(occurrences.length, performance.now() - started);
    return outcomes;
  }

  // Concurrent reports share one transaction; each answer waits for its group's COMMIT.
  const committer = createGroupCommitter<Occurrence, OccurrenceOutcome>({
    ...deps.groupCommit,
    ...(deps.onBatchFailure ? { onBatchFailure: deps.onBatchFailure } : {}),
    commitBatch: (occurrences) =>
      unavailableAs503(async () => {
        try {
          return await storeGroup(occurrences, knownTargets);
        } catch (error) {
          // A remembered bug was merged or deleted, or a client retried a stored event: the
          // lookup sorts that out for the whole group (the one-by-one fallback is for bad reports).
          if (error instanceof KnownTargetsMiss) return storeGroup(occurrences, undefined);
          throw error;
        }
      }),
    // A failed group is retried report by report (a group of one), so that only the bad one
    // fails.
    commitOne: (occurrence) =>
      unavailableAs503(async () => {
        try {
          return (await storeGroup([occurrence], undefined))[0] as OccurrenceOutcome;
        } catch (error) {
          // Two deliveries of one event raced, or the bug was merged meanwhile: the second try
          // finds the stored event (and counts nothing) or the merge target.
          if (!(error instanceof DuplicateEventRace) && !(error instanceof MergedMeanwhile)) {
            throw error;
          }
          return (await storeGroup([occurrence], undefined))[0] as OccurrenceOutcome;
        }
      }),
  });
  const store = (occurrence: Occurrence) => committer.submit(occurrence);

  const settled = async () => {
    while (preparing.size > 0) await Promise.allSettled([...preparing]);
  };

  return {
    async submit(projectId, rawEvent) {
      if (closing) {
        throw new StoreUnavailableError("closing", "the server is shutting down: retry shortly", 5);
      }
      const prepared = prepare(projectId, rawEvent);
      preparing.add(prepared);
      let occurrence: Occurrence;
      try {
        occurrence = await prepared;
      } finally {
        preparing.delete(prepared);
      }
      const outcome = await store(occurrence);
      return toReportResult(outcome, occurrence.event.eventId);
    },
    async flush() {
      await settled();
      await committer.flush();
    },
    async close() {
      closing = true;
      await settled();
      await committer.close();
    },
  };
}

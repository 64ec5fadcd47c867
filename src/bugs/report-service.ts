import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/index.js";
import {
  type ErrorEvent,
  computeFingerprint,
  culprit,
  severityFromLevel,
  titleFor,
  urlPattern,
} from "../grouping/index.js";
import { type Scrubber, createScrubber } from "../scrub/index.js";
import {
  DuplicateEventRace,
  type Occurrence,
  type OccurrenceOutcome,
  recordOccurrence,
} from "./record-occurrence.js";

/**
 * Work that must commit together with an occurrence (outbox rows for GitHub, notifications).
 * Runs inside the report's transaction: if it fails, the report fails and nothing is written.
 */
export type OccurrenceEffect = (
  trx: Transaction<Database>,
  outcome: OccurrenceOutcome,
  occurrence: Occurrence,
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
  /** Removes secrets and PII before anything is stored; default rules when not given. */
  scrubber?: Scrubber;
}

export interface ReportService {
  /** Groups and stores one report; resolves once it is committed. */
  submit(projectId: number, event: ErrorEvent): Promise<ReportResult>;
}

/** Groups an event: fingerprint, title, culprit, starting severity. Pure. */
export function groupEvent(
  projectId: number,
  event: ErrorEvent,
  receivedAt: Date,
): Omit<Occurrence, "storeEvent"> {
  const fingerprint = computeFingerprint(event);
  return {
    projectId,
    event,
    fingerprint: fingerprint.hash,
    fingerprintVersion: fingerprint.version,
    title: titleFor(event),
    culprit: culprit(event),
    severity: severityFromLevel(event.level),
    urlPattern: event.request?.url ? urlPattern(event.request.url) : undefined,
    receivedAt,
  };
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

export function createReportService(deps: ReportServiceDeps): ReportService {
  const clock = deps.clock ?? (() => new Date());
  const effects = deps.effects ?? [];
  const scrubber = deps.scrubber ?? createScrubber();

  async function store(occurrence: Occurrence): Promise<OccurrenceOutcome> {
    return deps.db.transaction().execute(async (trx) => {
      const outcome = await recordOccurrence(trx, occurrence);
      if (!outcome.duplicate) {
        for (const effect of effects) await effect(trx, outcome, occurrence);
      }
      return outcome;
    });
  }

  return {
    async submit(projectId, rawEvent) {
      // Scrubbed first: grouping, storage and GitHub only ever see the filtered event.
      const event = scrubber.scrubEvent(rawEvent);
      const occurrence: Occurrence = {
        ...groupEvent(projectId, event, clock()),
        storeEvent: true,
      };
      let outcome: OccurrenceOutcome;
      try {
        outcome = await store(occurrence);
      } catch (error) {
        // Two deliveries of one event raced; the retry finds the stored one and counts nothing.
        if (!(error instanceof DuplicateEventRace)) throw error;
        outcome = await store(occurrence);
      }
      return toReportResult(outcome, event.eventId);
    },
  };
}

import type { Transaction } from "kysely";
import type { BugRow, Database } from "../db/index.js";
import {
  type FingerprintRef,
  type LearntFingerprint,
  type LookupRow,
  createBugs,
  learnFingerprints,
  lockProjects,
  lookUp,
  mergeTargets,
  writeBatch,
} from "./batch-statements.js";
import { toKnownBug } from "./bug-repository.js";
import type { BugStatus } from "./known-bug.js";
import type { KnownTargets } from "./known-targets.js";
import {
  DuplicateEventRace,
  MAX_MERGE_HOPS,
  type Occurrence,
  type OccurrenceOutcome,
  duplicateOutcome,
  firstSeenOf,
} from "./record-occurrence.js";

/** What one batch did: an answer per report, and one aggregated outcome per bug for the effects. */
export interface BatchOutcome {
  /** One per occurrence, in input order, as if each had been stored alone in that order. */
  outcomes: OccurrenceOutcome[];
  /**
   * One per bug the batch counted, sorted by bug id: counts before and after the whole batch,
   * isNew/isRegression when any report created/reopened it, and the first occurrence of that bug
   * in the batch (the one that created or reopened it).
   */
  perBug: { outcome: OccurrenceOutcome; occurrence: Occurrence }[];
}

type Trx = Transaction<Database>;

/** A bug and the batch's reports that count on it, in arrival order (indexes into the batch). */
interface BugGroup {
  bugId: number;
  reports: number[];
  created: boolean;
  /** Row after the batch's write. */
  row: BugRow;
  previousStatus: BugStatus | null;
  previousCount: number;
  /** The batch reopened the bug (resolved before; a release-bound resolution may keep it so). */
  regressed: boolean;
}

const key = (projectId: number, text: string) => `${projectId}\u0000${text}`;

/**
 * Stores many occurrences in the caller's transaction with a fixed number of statements whatever
 * the batch size: one lookup (stored event ids and fingerprints), bug creation under the project
 * lock only for new fingerprints (as the single path), and one write (counts, events, rollup).
 * Each report's outcome is what it would have been stored alone, in batch order.
 *
 * With `known`, a batch whose fingerprints are all known skips the lookup. Its write then fails
 * on a client's retry of a stored event (fewer events inserted than sent) or on a bug merged or
 * deleted since: the entries are forgotten and KnownTargetsMiss is thrown, so that the caller
 * rolls back and stores the batch again with the lookup.
 */
export async function recordOccurrences(
  trx: Trx,
  batch: readonly Occurrence[],
  known?: KnownTargets,
): Promise<BatchOutcome> {
  const outcomes: OccurrenceOutcome[] = new Array(batch.length);
  const prints = uniqueFingerprints(batch);
  const knownTargets = known?.all(prints.map((p) => key(p.projectId, p.fingerprint)));
  const found = knownTargets
    ? []
    : await lookUp(
        trx,
        batch
          .filter((o) => o.storeEvent)
          .map((o) => ({ project_id: o.projectId, event_id: o.event.eventId })),
        prints,
      );

  // Client retries: event ids already stored count nothing; a repeat inside the batch neither.
  const stored = new Map<string, LookupRow>();
  for (const row of found) {
    if (row.kind === "event") stored.set(key(row.project_id, row.lookup_key), row);
  }
  const firstCopy = new Map<string, number>();
  const repeats: { index: number; of: number }[] = [];
  const counted: number[] = [];
  batch.forEach((occ, index) => {
    if (!occ.storeEvent) return counted.push(index);
    const k = key(occ.projectId, occ.event.eventId);
    const seen = stored.get(k);
    if (seen) {
      outcomes[index] = duplicateOutcome(stripLookup(seen));
      return;
    }
    const of = firstCopy.get(k);
    if (of !== undefined) return repeats.push({ index, of });
    firstCopy.set(k, index);
    counted.push(index);
  });

  // Which bug counts each fingerprint (following merges); new fingerprints get bugs.
  const targets =
    knownTargets ??
    (await resolveTargets(
      trx,
      found.filter((r) => r.kind === "fingerprint"),
    ));
  // Bugs found in the database exist whatever this transaction does: remember them.
  if (!knownTargets) for (const [k, id] of targets) known?.remember(k, id);
  const missing = uniqueFingerprints(batch, counted).filter(
    (f) => !targets.has(key(f.projectId, f.fingerprint)),
  );
  const created = new Map<number, BugRow>();
  if (missing.length > 0) {
    for (const row of await createMissing(trx, batch, counted, missing, targets)) {
      targets.set(key(row.project_id, row.fingerprint), row.id);
      created.set(row.id, row);
    }
  }

  const groups = new Map<number, BugGroup>();
  for (const index of counted) {
    const occ = batch[index] as Occurrence;
    const bugId = targets.get(key(occ.projectId, occ.fingerprint)) as number;
    let group = groups.get(bugId);
    if (!group) {
      group = {
        bugId,
        reports: [],
        created: created.has(bugId),
        row: created.get(bugId) as BugRow,
        previousStatus: null,
        previousCount: 0,
        regressed: false,
      };
      groups.set(bugId, group);
    }
    group.reports.push(index);
  }
  const sorted = [...groups.values()].sort((a, b) => a.bugId - b.bugId);
  try {
    if (sorted.length > 0) await write(trx, batch, sorted);
  } catch (error) {
    if (!knownTargets) throw error;
    known?.forget(knownTargets.keys());
    throw new KnownTargetsMiss(error);
  }

  // Each report's own answer: its position in the count, isNew/isRegression on the first one.
  for (const group of sorted) {
    const bug = toKnownBug(group.row);
    group.reports.forEach((index, position) => {
      const first = position === 0;
      outcomes[index] = {
        bug: { ...bug, occurrenceCount: group.previousCount + position + 1 },
        isNew: first && group.created,
        isRegression: first && group.regressed,
        previousStatus: first ? group.previousStatus : bug.status,
        duplicate: false,
        eventStored: (batch[index] as Occurrence).storeEvent,
        previousOccurrenceCount: group.previousCount + position,
      };
    });
  }
  for (const { index, of } of repeats) {
    outcomes[index] = duplicateOutcome(
      (groups.get((outcomes[of] as OccurrenceOutcome).bug.id) as BugGroup).row,
    );
  }

  return {
    outcomes,
    perBug: sorted.map((group) => ({
      occurrence: batch[group.reports[0] as number] as Occurrence,
      outcome: {
        bug: toKnownBug(group.row),
        isNew: group.created,
        isRegression: group.regressed,
        previousStatus: group.previousStatus,
        duplicate: false,
        eventStored: group.reports.some((i) => (batch[i] as Occurrence).storeEvent),
        previousOccurrenceCount: group.previousCount,
      },
    })),
  };
}

async function write(trx: Trx, batch: readonly Occurrence[], groups: BugGroup[]) {
  const reports = groups.flatMap((g) =>
    g.reports.map((i) => ({ bugId: g.bugId, occurrence: batch[i] as Occurrence })),
  );
  const counts = groups.map((g) => {
    let lastSeen = 0;
    for (const i of g.reports) {
      lastSeen = Math.max(lastSeen, (batch[i] as Occurrence).receivedAt.getTime());
    }
    return {
      bugId: g.bugId,
      k: g.reports.length,
      lastSeen: new Date(lastSeen),
      firstAt: (batch[g.reports[0] as number] as Occurrence).receivedAt,
    };
  });
  const { rows, eventsInserted } = await writeBatch(trx, counts, reports);
  // A concurrent retry of one of these events committed after our lookup: roll back; the
  // committer then stores the batch report by report, and the retry is seen as a duplicate.
  const wanted = reports.filter((r) => r.occurrence.storeEvent).length;
  if (eventsInserted !== wanted) throw new DuplicateEventRace();
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const group of groups) {
    const row = byId.get(group.bugId);
    if (!row) throw new Error(`bug ${group.bugId} disappeared while counting occurrences`);
    // Merged after the lookup (or after its fingerprint was remembered): its target counts.
    if (row.merged_into_id !== null) throw new MergedMeanwhile(group.bugId);
    const { previous_status, previous_count, events_inserted: _, regressed, ...bugRow } = row;
    group.row = bugRow;
    group.previousStatus = group.created ? null : previous_status;
    group.previousCount = previous_count;
    group.regressed = !group.created && regressed;
  }
}

/** A batch that skipped its lookup could not be written as is: store it again with the lookup. */
export class KnownTargetsMiss extends Error {
  override name = "KnownTargetsMiss";
  constructor(override readonly cause: unknown) {
    super(`a group of known fingerprints needs its lookup: ${(cause as Error)?.message ?? cause}`);
  }
}

/** The batch counted on a bug merged since it was looked up: stored report by report instead. */
export class MergedMeanwhile extends Error {
  override name = "MergedMeanwhile";
  constructor(bugId: number) {
    super(`bug ${bugId} was merged while its occurrences were being counted`);
  }
}

function stripLookup(row: LookupRow): BugRow {
  const { kind: _kind, lookup_key: _key, ...bug } = row;
  return bug;
}

function uniqueFingerprints(batch: readonly Occurrence[], only?: number[]): FingerprintRef[] {
  const seen = new Map<string, FingerprintRef>();
  for (const index of only ?? batch.keys()) {
    const occ = batch[index] as Occurrence;
    const k = key(occ.projectId, occ.fingerprint);
    if (!seen.has(k)) seen.set(k, { projectId: occ.projectId, fingerprint: occ.fingerprint });
  }
  return [...seen.values()];
}

/** `projectId\0fingerprint` -> id of the bug that counts it, following merges. */
async function resolveTargets(trx: Trx, rows: LookupRow[]): Promise<Map<string, number>> {
  // merged_into_id of every bug seen so far; null = the chain ends there.
  const mergedInto = new Map<number, number | null>(rows.map((r) => [r.id, r.merged_into_id]));
  let frontier = rows.flatMap((r) => (r.merged_into_id === null ? [] : [r.merged_into_id]));
  for (let hop = 0; frontier.length > 0 && hop < MAX_MERGE_HOPS; hop++) {
    const next = await mergeTargets(trx, [...new Set(frontier)]);
    for (const r of next) mergedInto.set(r.id, r.merged_into_id);
    frontier = next.flatMap((r) =>
      r.merged_into_id === null || mergedInto.has(r.merged_into_id) ? [] : [r.merged_into_id],
    );
  }
  const targets = new Map<string, number>();
  for (const row of rows) {
    let id = row.id;
    let next = row.merged_into_id;
    for (let hop = 0; next !== null && hop < MAX_MERGE_HOPS; hop++) {
      id = next;
      next = mergedInto.get(id) ?? null;
    }
    // The hash looked up, which a learnt hash (bug_fingerprints) makes differ from the bug's own.
    targets.set(key(row.project_id, row.lookup_key), id);
  }
  return targets;
}

/**
 * A grouping transition: a fingerprint still unknown joins the bug that the previous grouping
 * version's hash of one of its events belongs to (the oldest such bug when its events differ),
 * and that bug learns the fingerprint. So an upgrade of the grouping never opens a second bug,
 * nor a second issue, for errors that already have one. Runs under the project locks.
 */
async function joinByPreviousFingerprint(
  trx: Trx,
  batch: readonly Occurrence[],
  counted: number[],
  targets: Map<string, number>,
): Promise<void> {
  // Fingerprint -> the previous hashes its events carry, and its first occurrence.
  const previous = new Map<string, { occurrence: Occurrence; hashes: Set<string> }>();
  for (const index of counted) {
    const occ = batch[index] as Occurrence;
    const k = key(occ.projectId, occ.fingerprint);
    if (occ.previousFingerprint === undefined || targets.has(k)) continue;
    const entry = previous.get(k) ?? { occurrence: occ, hashes: new Set<string>() };
    entry.hashes.add(occ.previousFingerprint);
    previous.set(k, entry);
  }
  if (previous.size === 0) return;
  const wanted = new Map<string, FingerprintRef>();
  for (const { occurrence, hashes } of previous.values()) {
    for (const hash of hashes) {
      wanted.set(key(occurrence.projectId, hash), {
        projectId: occurrence.projectId,
        fingerprint: hash,
      });
    }
  }
  const found = await resolveTargets(trx, await lookUp(trx, [], [...wanted.values()]));
  const learnt: LearntFingerprint[] = [];
  for (const [k, { occurrence, hashes }] of previous) {
    let bugId: number | undefined;
    for (const hash of hashes) {
      const id = found.get(key(occurrence.projectId, hash));
      if (id !== undefined && (bugId === undefined || id < bugId)) bugId = id;
    }
    if (bugId === undefined) continue;
    targets.set(k, bugId);
    learnt.push({
      projectId: occurrence.projectId,
      fingerprint: occurrence.fingerprint,
      bugId,
      grouping: occurrence.grouping,
    });
  }
  await learnFingerprints(trx, learnt);
}

/**
 * New fingerprints: take the project locks, look again (the batch before us may have created
 * them), then create the rest, numbered in the order their first report arrived.
 */
async function createMissing(
  trx: Trx,
  batch: readonly Occurrence[],
  counted: number[],
  missing: FingerprintRef[],
  targets: Map<string, number>,
): Promise<BugRow[]> {
  await lockProjects(
    trx,
    missing.map((m) => m.projectId),
  );
  const again = await lookUp(trx, [], missing);
  for (const [k, id] of await resolveTargets(trx, again)) targets.set(k, id);
  await joinByPreviousFingerprint(trx, batch, counted, targets);

  const firstReports = new Map<string, { occurrence: Occurrence; firstSeen: Date }>();
  for (const index of counted) {
    const occ = batch[index] as Occurrence;
    const k = key(occ.projectId, occ.fingerprint);
    if (targets.has(k)) continue;
    const at = firstSeenOf(occ);
    const entry = firstReports.get(k);
    if (!entry) firstReports.set(k, { occurrence: occ, firstSeen: at });
    else if (at < entry.firstSeen) entry.firstSeen = at;
  }
  const byProject = new Map<number, { occurrence: Occurrence; firstSeen: Date }[]>();
  for (const entry of firstReports.values()) {
    const list = byProject.get(entry.occurrence.projectId) ?? [];
    list.push(entry);
    byProject.set(entry.occurrence.projectId, list);
  }
  const created: BugRow[] = [];
  for (const projectId of [...byProject.keys()].sort((a, b) => a - b)) {
    created.push(...(await createBugs(trx, projectId, byProject.get(projectId) ?? [])));
  }
  return created;
}

/**
 * The spike job: a bug, or a whole project, whose events this hour pass the configured absolute
 * limit or `factor`× the trailing 24 h hourly average. Counts come from `bug_hourly`. The hour
 * evaluated is the current one (partial): counts only grow within it, so a spike is announced
 * while it happens, and later runs in the same or the next hour belong to the same spike. Each
 * spike is stored in `spikes` under its spikeKey, in the transaction that plans its comment and
 * notification, so it is announced once whatever the number of runs or replicas.
 */
import { type Kysely, type Transaction, sql } from "kysely";
import type { RepoConfig } from "../config/repo-config.js";
import type { Database } from "../db/schema.js";
import { enqueue } from "../github/outbox/plan-effects.js";
import { bugRef } from "../github/render/index.js";
import { enqueueNotification } from "../notifications/enqueue-notification.js";
import { type SpikeResult, TRAILING_HOURS, detectSpike } from "./detect-spike.js";
import { ESCALATION_KINDS } from "./escalation-kinds.js";
import {
  type SpikeFacts,
  renderBugSpikeComment,
  renderProjectSpikeComment,
} from "./spike-comment.js";
import { type SpikeTrack, floorToHour, shouldNotifySpike, spikeKey } from "./spike-notification.js";

const HOUR_MS = 3_600_000;

export interface SpikeJobDeps {
  db: Kysely<Database>;
  projectConfigs: { get(projectId: number): Promise<RepoConfig> };
}

export interface SpikeRunResult {
  projects: number;
  /** Spikes announced by this run. */
  announced: number;
}

/** What the spike_comment row carries: the comment, to which the handler adds the mentions. */
export interface SpikeCommentPayload {
  spikeKey: string;
  body: string;
  /** When the job planned it (ISO): how long to wait for the bug's issue counts from here. */
  plannedAt: string;
}

interface HourCount {
  bug_id: number;
  hour: Date;
  count: number;
}

interface BugInfo {
  id: number;
  number: number;
  title: string;
  severity: string;
  status: string;
  issue_number: number | null;
  issue_url: string | null;
}

export async function runSpikeDetection(deps: SpikeJobDeps, now: Date): Promise<SpikeRunResult> {
  const { db } = deps;
  const hourStart = floorToHour(now);
  const since = new Date(hourStart.getTime() - TRAILING_HOURS * HOUR_MS);
  const projects = await db
    .selectFrom("projects")
    .select(["id", "owner", "name", "installation_id"])
    .where("suspended_at", "is", null)
    .orderBy("id")
    .execute();
  let announced = 0;
  for (const project of projects) {
    const config = await deps.projectConfigs.get(project.id);
    // Environments and services are summed: a spike is about the bug, not one of its deploys.
    const rows = await db
      .selectFrom("bug_hourly")
      .select(["bug_id", "hour", sql<number>`sum(count)::int`.as("count")])
      .where("project_id", "=", project.id)
      .where("hour", ">=", since)
      .where("hour", "<=", hourStart)
      .groupBy(["bug_id", "hour"])
      .execute();
    if (!rows.some((r) => new Date(r.hour).getTime() === hourStart.getTime())) continue;
    const bugs = await loadBugs(db, [...new Set(rows.map((r) => r.bug_id))]);
    // Ignored and won't-fix bugs were set aside on purpose, and merged ones count elsewhere: they
    // neither spike nor make the project spike.
    const counted = rows.filter((r) => {
      const status = bugs.get(r.bug_id)?.status;
      return status !== undefined && status !== "ignored" && status !== "wontfix";
    });
    const current = counted.filter((r) => new Date(r.hour).getTime() === hourStart.getTime());
    const ctx: SpikeContext = { deps, config, project, hourStart, now, bugs };

    const announcedBugs = new Set<number>();
    for (const row of current) {
      const bug = bugs.get(row.bug_id);
      if (!bug) continue;
      const result = detectSpike({
        lastHourCount: row.count,
        trailing24hCounts: trailingCounts(counted, hourStart, (r) => r.bug_id === row.bug_id),
        absoluteThreshold: bugThreshold(config, bug.severity),
        factor: config.spikes.factor,
        minEvents: config.spikes.min_events,
      });
      if (await record(ctx, { scope: "bug", subjectId: bug.id, count: row.count, result, bug })) {
        announcedBugs.add(bug.id);
        announced++;
      }
    }

    const projectCount = current.reduce((sum, r) => sum + r.count, 0);
    const projectResult = detectSpike({
      lastHourCount: projectCount,
      trailing24hCounts: trailingCounts(counted, hourStart, () => true),
      absoluteThreshold: config.spikes.project_per_hour,
      factor: config.spikes.factor,
      minEvents: config.spikes.min_events,
    });
    const busiest = [...current].sort((a, b) => b.count - a.count || a.bug_id - b.bug_id);
    const target = busiest.find((r) => bugs.get(r.bug_id)?.issue_number != null) ?? busiest[0];
    const bug = target ? bugs.get(target.bug_id) : undefined;
    const spike = { scope: "project", subjectId: project.id, count: projectCount } as const;
    // When that bug's own spike comment was just planned, it already tells the story there.
    const comment = bug !== undefined && !announcedBugs.has(bug.id);
    if (await record(ctx, { ...spike, result: projectResult, bug, busiest, comment })) announced++;
  }
  return { projects: projects.length, announced };
}

/** Critical bugs have their own (usually lower) ceiling; the stricter of the two applies. */
function bugThreshold(config: RepoConfig, severity: string): number | null {
  const { bug_per_hour, critical_per_hour } = config.spikes;
  if (severity !== "critical" || critical_per_hour === null) return bug_per_hour;
  return bug_per_hour === null ? critical_per_hour : Math.min(bug_per_hour, critical_per_hour);
}

/** The 24 hourly counts before `hourStart`, oldest first; hours without a row are zero. */
function trailingCounts(
  rows: readonly HourCount[],
  hourStart: Date,
  include: (r: HourCount) => boolean,
): number[] {
  const counts = new Array<number>(TRAILING_HOURS).fill(0);
  for (const r of rows) {
    if (!include(r)) continue;
    const back = (hourStart.getTime() - new Date(r.hour).getTime()) / HOUR_MS;
    if (back >= 1 && back <= TRAILING_HOURS) {
      const index = TRAILING_HOURS - back;
      counts[index] = (counts[index] ?? 0) + r.count;
    }
  }
  return counts;
}

async function loadBugs(db: Kysely<Database>, ids: number[]): Promise<Map<number, BugInfo>> {
  const rows = await db
    .selectFrom("bugs")
    .select(["id", "number", "title", "severity", "status", "issue_number", "issue_url"])
    .where("id", "in", ids)
    .where("merged_into_id", "is", null)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

interface SpikeContext {
  deps: SpikeJobDeps;
  config: RepoConfig;
  project: { id: number; owner: string; name: string; installation_id: number | null };
  hourStart: Date;
  now: Date;
  bugs: Map<number, BugInfo>;
}

/**
 * Stores this hour of the subject's spike and announces a new one; true when announced. Two runs
 * at once are kept apart by the job lock, and the key (primary key) settles any remaining race.
 */
type SpikeSubject = {
  scope: "bug" | "project";
  subjectId: number;
  count: number;
  result: SpikeResult;
  /** The spiking bug (scope bug), or the bug whose issue gets the project's comment. */
  bug: BugInfo | undefined;
  busiest?: readonly HourCount[];
  /** False: record and notify, but plan no issue comment. */
  comment?: boolean;
};

async function record(ctx: SpikeContext, s: SpikeSubject): Promise<boolean> {
  const reason = s.result.reason;
  if (!s.result.spiking || !reason) return false;
  return ctx.deps.db.transaction().execute(async (trx) => {
    const previous = await trx
      .selectFrom("spikes")
      .select(["key", "started_at", "last_spiking_hour"])
      .where("scope", "=", s.scope)
      .where("subject_id", "=", s.subjectId)
      .orderBy("last_spiking_hour", "desc")
      .limit(1)
      .executeTakeFirst();
    const track: SpikeTrack | null = previous
      ? {
          startedAt: new Date(previous.started_at),
          lastSpikingHour: new Date(previous.last_spiking_hour),
        }
      : null;
    const decision = shouldNotifySpike(track, true, ctx.hourStart);
    if (!decision.notify) {
      // The same spike, still going: remember this hour and the peak, announce nothing.
      if (previous && decision.track) {
        await trx
          .updateTable("spikes")
          .set({
            last_spiking_hour: decision.track.lastSpikingHour,
            hour_count: sql<number>`GREATEST(spikes.hour_count, ${s.count})`,
          })
          .where("key", "=", previous.key)
          .execute();
      }
      return false;
    }
    const key = spikeKey(s.scope, s.subjectId, ctx.hourStart);
    const inserted = await trx
      .insertInto("spikes")
      .values({
        key,
        project_id: ctx.project.id,
        scope: s.scope,
        subject_id: s.subjectId,
        bug_id: s.bug?.id ?? null,
        started_at: ctx.hourStart,
        last_spiking_hour: ctx.hourStart,
        hour_count: s.count,
        average: s.result.average,
        reason,
        notified_at: ctx.now,
      })
      .onConflict((oc) => oc.column("key").doNothing())
      .returning("key")
      .executeTakeFirst();
    if (!inserted) return false;
    await announce(trx, ctx, s, key, reason);
    return true;
  });
}

async function announce(
  trx: Transaction<Database>,
  ctx: SpikeContext,
  s: SpikeSubject,
  key: string,
  reason: "absolute" | "relative",
): Promise<void> {
  const { config, project } = ctx;
  const facts: SpikeFacts = {
    hourStart: ctx.hourStart,
    count: s.count,
    average: s.result.average,
    reason,
    threshold:
      s.scope === "project"
        ? config.spikes.project_per_hour
        : bugThreshold(config, s.bug?.severity ?? ""),
    factor: config.spikes.factor,
  };
  const fullName = `${project.owner}/${project.name}`;
  const comment = project.installation_id !== null && s.bug !== undefined && s.comment !== false;
  const body =
    s.scope === "bug" && s.bug
      ? renderBugSpikeComment(s.bug.number, facts)
      : renderProjectSpikeComment({
          ...facts,
          fullName,
          commentOn: comment ? (s.bug?.number ?? null) : null,
          topBugs: (s.busiest ?? []).flatMap((r) => {
            const bug = ctx.bugs.get(r.bug_id);
            return bug ? [{ number: bug.number, count: r.count }] : [];
          }),
        });

  if (comment && s.bug) {
    const payload: SpikeCommentPayload = { spikeKey: key, body, plannedAt: ctx.now.toISOString() };
    await enqueue(trx, {
      projectId: project.id,
      bugId: s.bug.id,
      kind: ESCALATION_KINDS.spikeComment,
      key,
      payload: { ...payload },
      runAfter: ctx.now,
    });
  }
  const bugScope = s.scope === "bug" ? s.bug : undefined;
  await enqueueNotification(trx, config, {
    projectId: project.id,
    bugId: bugScope?.id ?? null,
    event: "spike",
    key,
    title: `Spike: ${bugScope ? bugRef(bugScope.number) : fullName}, ${s.count} events this hour`,
    text: body,
    url: bugScope?.issue_url ?? null,
    severity: bugScope?.severity ?? null,
    data: { scope: s.scope, count: s.count, average: s.result.average, reason },
    at: ctx.now,
  });
}

import { type Kysely, sql } from "kysely";

// What the scheduled jobs did, so that each step happens once per bug per cycle (escalations) and
// each spike is announced once (spikes), whatever the number of runs or replicas.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE escalations (
      id bigserial PRIMARY KEY,
      bug_id bigint NOT NULL REFERENCES bugs(id) ON DELETE CASCADE,
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      cycle_started_at timestamptz NOT NULL,
      step smallint NOT NULL CHECK (step BETWEEN 1 AND 3),
      action text NOT NULL,
      at timestamptz NOT NULL,
      detail jsonb NOT NULL DEFAULT '{}',
      UNIQUE (bug_id, cycle_started_at, step)
    )`.execute(db);
  await sql`CREATE INDEX escalations_project_at_idx ON escalations (project_id, at)`.execute(db);

  await sql`
    CREATE TABLE spikes (
      key text PRIMARY KEY,
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      scope text NOT NULL CHECK (scope IN ('bug','project','critical')),
      subject_id bigint NOT NULL,
      bug_id bigint REFERENCES bugs(id) ON DELETE SET NULL,
      started_at timestamptz NOT NULL,
      last_spiking_hour timestamptz NOT NULL,
      hour_count integer NOT NULL,
      average double precision NOT NULL,
      reason text NOT NULL,
      notified_at timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE INDEX spikes_subject_idx ON spikes (scope, subject_id, last_spiking_hour DESC)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS spikes`.execute(db);
  await sql`DROP TABLE IF EXISTS escalations`.execute(db);
}

import { type Kysely, sql } from "kysely";

// Migrations never import app code: they describe the schema as it was on their day.
// Only features of PostgreSQL 15 (production may run 15/16; PGlite is 18).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE projects (
      id bigserial PRIMARY KEY,
      owner text NOT NULL,
      name text NOT NULL,
      full_name_lower text NOT NULL UNIQUE,
      installation_id bigint,
      repo_id bigint UNIQUE,
      ingest_key text NOT NULL UNIQUE,
      previous_key text UNIQUE,
      previous_key_expires_at timestamptz,
      bug_seq integer NOT NULL DEFAULT 0,
      suspended_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE bugs (
      id bigserial PRIMARY KEY,
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      number integer NOT NULL,
      fingerprint text NOT NULL,
      fingerprint_version integer NOT NULL,
      title text NOT NULL,
      error_type text NOT NULL,
      culprit text,
      severity text NOT NULL CHECK (severity IN ('critical','high','medium','low')),
      status text NOT NULL DEFAULT 'open'
        CHECK (status IN ('open','in_progress','resolved','wontfix','ignored')),
      occurrence_count bigint NOT NULL DEFAULT 0,
      first_seen timestamptz NOT NULL,
      last_seen timestamptz NOT NULL,
      resolved_at timestamptz,
      resolved_in_release text,
      resolved_by text,
      regression_count integer NOT NULL DEFAULT 0,
      count_since_resolved bigint NOT NULL DEFAULT 0,
      issue_number integer,
      issue_url text,
      escalation_level integer NOT NULL DEFAULT 0,
      last_escalated_at timestamptz,
      escalation_started_at timestamptz NOT NULL,
      last_notified_count bigint NOT NULL DEFAULT 0,
      merged_into_id bigint REFERENCES bugs(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (project_id, fingerprint),
      UNIQUE (project_id, number)
    )`.execute(db);
  await sql`CREATE INDEX bugs_project_status_idx ON bugs (project_id, status)`.execute(db);
  await sql`CREATE INDEX bugs_issue_idx ON bugs (project_id, issue_number)`.execute(db);

  await sql`
    CREATE TABLE events (
      id bigserial PRIMARY KEY,
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      bug_id bigint NOT NULL REFERENCES bugs(id) ON DELETE CASCADE,
      event_id text NOT NULL,
      received_at timestamptz NOT NULL,
      occurred_at timestamptz NOT NULL,
      level text NOT NULL,
      source text NOT NULL,
      service text,
      environment text,
      release text,
      error_type text NOT NULL,
      message text NOT NULL,
      stacktrace jsonb NOT NULL DEFAULT '[]',
      raw_stacktrace text,
      url text,
      url_pattern text,
      method text,
      status_code integer,
      request jsonb,
      user_id text,
      tags jsonb NOT NULL DEFAULT '{}',
      context jsonb NOT NULL DEFAULT '{}',
      UNIQUE (project_id, event_id)
    )`.execute(db);
  await sql`CREATE INDEX events_bug_received_idx ON events (bug_id, received_at DESC)`.execute(db);
  await sql`CREATE INDEX events_project_received_idx ON events (project_id, received_at)`.execute(
    db,
  );

  await sql`
    CREATE TABLE bug_hourly (
      bug_id bigint NOT NULL REFERENCES bugs(id) ON DELETE CASCADE,
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      hour timestamptz NOT NULL,
      environment text NOT NULL DEFAULT '',
      service text NOT NULL DEFAULT '',
      count integer NOT NULL,
      PRIMARY KEY (bug_id, hour, environment, service)
    )`.execute(db);
  await sql`CREATE INDEX bug_hourly_project_hour_idx ON bug_hourly (project_id, hour)`.execute(db);

  await sql`
    CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      project_id bigint REFERENCES projects(id) ON DELETE CASCADE,
      bug_id bigint REFERENCES bugs(id) ON DELETE CASCADE,
      kind text NOT NULL,
      payload jsonb NOT NULL DEFAULT '{}',
      idempotency_key text NOT NULL UNIQUE,
      attempts integer NOT NULL DEFAULT 0,
      run_after timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      last_error text,
      done_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX outbox_pending_idx ON outbox (run_after) WHERE done_at IS NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE webhook_deliveries (
      delivery_id text PRIMARY KEY,
      event text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "webhook_deliveries",
    "outbox",
    "bug_hourly",
    "events",
    "bugs",
    "projects",
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}

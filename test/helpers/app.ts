import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { Database } from "../../src/db/index.js";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { type AppServices, buildServer } from "../../src/server.js";
import { type CreateServicesInput, type Services, createServices } from "../../src/services.js";

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  project: Project;
}

/** The real Fastify app on a test database, with one project ready to report to. */
export async function buildTestApp(
  db: Kysely<Database>,
  options: Partial<CreateServicesInput> & { bodyLimit?: number; extra?: Partial<AppServices> } = {},
): Promise<TestApp> {
  const services = createServices({ db, ...options });
  const app = await buildServer(
    { ...services, ...options.extra },
    { bodyLimit: options.bodyLimit ?? 1024 * 1024 },
  );
  const { project } = await ensureProject(db, { fullName: "octo-org/shop" });
  return { app, services, project };
}

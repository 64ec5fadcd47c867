/** Runs once before all test files. Database suites create their own schemas (see test/helpers/db.ts). */
export default function setup(): void {
  process.env.TZ = "UTC";
}

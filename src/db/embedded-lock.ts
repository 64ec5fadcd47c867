import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * PGlite is one process at a time: a second process opening the same data directory corrupts it.
 * A pid file in the data directory says who has it; a stale one (dead pid) is taken over.
 */
export class EmbeddedDbBusyError extends Error {
  override name = "EmbeddedDbBusyError";
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dataDir} is open in another Faultline process (pid ${pid}). Stop that process first, or set DATABASE_URL to a Postgres server that both can share.`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock or throws EmbeddedDbBusyError; returns the release function. */
export function lockEmbeddedDb(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, "faultline.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, "utf8") === String(process.pid)) unlinkSync(file);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
        throw new EmbeddedDbBusyError(dataDir, pid);
      }
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${file}`);
}

/** The live process (not this one) that holds the embedded database in dataDir, if any. */
export function embeddedDbHolder(dataDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, "faultline.pid"), "utf8");
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid !== process.pid && isAlive(pid) ? pid : undefined;
}

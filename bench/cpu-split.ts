/**
 * Where the machine's CPU went during a load: the server process, the Postgres processes and the
 * load generator share the same 2 cores, so reports/s is bounded by their sum per report, not by
 * the server alone. Reads /proc (Linux); elsewhere every figure is NaN and the bench prints "n/a".
 */
import { readFileSync, readdirSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  /** CPU time of every process named "postgres" (backends and background workers), µs. */
  postgresMicros: number;
  /** Busy (non-idle) CPU time of the whole machine, µs, summed over cores. */
  machineBusyMicros: number;
  /** When the snapshot was taken (performance.now(), ms). */
  at: number;
}

export interface CpuSplit {
  /** CPU µs per report of each part (the server's own comes from process.cpuUsage). */
  postgresUsPerReport: number;
  machineUsPerReport: number;
  /** Average busy cores over the window. */
  busyCores: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const at = performance.now();
  try {
    return { postgresMicros: postgresMicros(), machineBusyMicros: machineBusyMicros(), at };
  } catch {
    return { postgresMicros: Number.NaN, machineBusyMicros: Number.NaN, at };
  }
}

export function cpuSplit(before: CpuSnapshot, after: CpuSnapshot, reports: number): CpuSplit {
  const per = (micros: number) => (reports > 0 ? micros / reports : Number.NaN);
  const busy = after.machineBusyMicros - before.machineBusyMicros;
  return {
    // Processes that exited during the window (a closed backend) take their CPU time with them.
    postgresUsPerReport: per(Math.max(0, after.postgresMicros - before.postgresMicros)),
    machineUsPerReport: per(busy),
    busyCores: busy / 1e3 / (after.at - before.at),
  };
}

function postgresMicros(): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid ..." — comm may hold spaces, so split after the last ")".
    const close = stat.lastIndexOf(")");
    if (stat.slice(stat.indexOf("(") + 1, close) !== "postgres") continue;
    const fields = stat.slice(close + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after "state".
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks / TICKS_PER_SECOND) * 1e6;
}

function machineBusyMicros(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [, ...values] = line.trim().split(/\s+/);
  const ticks = values.map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return ((total - idle) / TICKS_PER_SECOND) * 1e6;
}

import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

export interface LoggerSettings {
  LOG_LEVEL: string;
  /** pretty or json; default: pretty on a terminal, json otherwise (a container, a file). */
  LOG_FORMAT?: "pretty" | "json" | undefined;
}

/**
 * The process logger: one JSON object a line for log collectors, readable lines (pino-pretty)
 * on a terminal. A request line shows its method, URL and status instead of nested objects.
 */
export function createLogger(
  settings: LoggerSettings,
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): Logger {
  const format = settings.LOG_FORMAT ?? (stream.isTTY ? "pretty" : "json");
  if (format === "json") return pino({ level: settings.LOG_LEVEL }, stream);
  return pino(
    { level: settings.LOG_LEVEL },
    pretty({
      destination: stream,
      colorize: Boolean(stream.isTTY),
      translateTime: "HH:MM:ss.l",
      ignore: "pid,hostname,req,res,reqId,responseTime",
      // Written at once: the last lines before an exit are not lost.
      sync: true,
      messageFormat: (log, messageKey) => {
        const message = String(log[messageKey] ?? "");
        const req = log.req as { method?: string; url?: string } | undefined;
        const res = log.res as { statusCode?: number } | undefined;
        if (req?.method) return `${message} ${req.method} ${req.url ?? ""}`;
        if (res?.statusCode !== undefined) {
          const ms =
            typeof log.responseTime === "number" ? ` in ${log.responseTime.toFixed(1)} ms` : "";
          return `${message} ${res.statusCode}${ms}`;
        }
        return message;
      },
    }),
  );
}

import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * Sets variables in a `.env` file (the setup flow's APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, …) and in
 * process.env. Other lines, comments included, stay as they were; a variable already in the file
 * is replaced where it stands. The file holds the App's private key: it is written readable by
 * its owner only (0600), whatever it was before.
 */
export function updateEnvFile(path: string, values: Record<string, string>): void {
  const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n") : [];
  if (lines.at(-1) === "") lines.pop();
  const pending = new Map(Object.entries(values));
  const updated = lines.map((line) => {
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (key === undefined || !pending.has(key)) return line;
    const value = pending.get(key) ?? "";
    pending.delete(key);
    return `${key}=${formatValue(value)}`;
  });
  for (const [key, value] of pending) updated.push(`${key}=${formatValue(value)}`);
  writeFileSync(path, `${updated.join("\n")}\n`, { mode: 0o600 });
  // The mode above applies to a new file only.
  chmodSync(path, 0o600);
  Object.assign(process.env, values);
}

/**
 * A value as Node's loadEnvFile reads it back: plain when it is one simple word, else in double
 * quotes with newlines as `\n` (a PEM key on one line). That parser has no escape for a double
 * quote: such a value goes in single quotes (taken literally, so it cannot hold a newline).
 */
function formatValue(value: string): string {
  if (/^[A-Za-z0-9_.:/@+-]*$/.test(value)) return value;
  if (!value.includes('"')) return `"${value.replace(/\r?\n/g, "\\n")}"`;
  if (!value.includes("'") && !/[\r\n]/.test(value)) return `'${value}'`;
  throw new Error("a .env value cannot hold both quotes and a newline");
}

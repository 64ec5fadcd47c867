/**
 * Escaping for text that came from error reports (messages, URLs, release names): it must render
 * as the literal text, never as HTML, markdown, a mention that pings someone or a reference that
 * shows up in another issue's timeline.
 */

/** Zero-width joiner: breaks `@user` and `#123` for GitHub's autolinker, invisible when read. */
export const ZWJ = "\u200D";

/** Mentions (`@alice`, `@org/team`) and issue references (`#12`, `GH-12`) made inert. */
export function defuseReferences(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZWJ}`)
    .replace(/#(?=\d)/g, `#${ZWJ}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1-${ZWJ}`);
}

/** Control characters and line breaks folded to single spaces (for one-line contexts). */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u001F\u007F\u2028\u2029]+/g, " ").trim();
}

/**
 * Inline text: HTML entities for `<`, `>`, `&`; backslash before markdown punctuation; mentions
 * and references defused; one line. Safe in paragraphs, list items and table cells.
 */
export function escapeInline(text: string): string {
  const escaped = oneLine(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    // `[` escaped means no link can form, so `(`, `)` and `!` may stay; `$` starts GitHub math.
    .replace(/[\\`*_[\]#|~$]/g, "\\$&")
    // Block syntax only bites at the start of a line (a list item holding the text).
    .replace(/^([-+=])/, "\\$1")
    .replace(/^(\d+)([.)])/, "$1\\$2");
  return defuseReferences(escaped);
}

/**
 * Inline code span: the fence is one backtick longer than the longest run inside (CommonMark).
 * In a table cell `|` must be escaped even inside code (GFM), elsewhere the backslash would show.
 */
export function inlineCode(text: string, options: { table?: boolean } = {}): string {
  const line = oneLine(text);
  const body = options.table ? line.replace(/\|/g, "\\|") : line;
  if (body === "") return "` `";
  const longest = Math.max(0, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = body.startsWith("`") || body.endsWith("`") ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced code block whose fence cannot be closed by the content. */
export function codeBlock(text: string, lang = ""): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`{3,}/g), (m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text.replace(/\n+$/, "")}\n${fence}`;
}

/**
 * Cuts `text` to at most `max` characters at a line break when there is one in the last fifth,
 * and says so. The note counts toward `max`.
 */
export function truncateText(text: string, max: number, note: (cut: number) => string): string {
  if (text.length <= max) return text;
  let end = max - note(text.length).length - 1;
  if (end <= 0) return note(text.length).slice(0, max);
  const lineBreak = text.lastIndexOf("\n", end);
  if (lineBreak > end * 0.8) end = lineBreak;
  // Do not split a surrogate pair.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}\n${note(text.length - end)}`;
}

/** `1234567` -> `1,234,567`, independent of the host locale. */
export function formatCount(n: number): string {
  return Math.trunc(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `2024-05-01T10:00:00Z`: ISO 8601, UTC, without milliseconds. */
export function formatTime(date: Date): string {
  if (Number.isNaN(date.getTime())) return "unknown";
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `5400000` -> `1 hour 30 minutes`; the two largest units, for people. */
export function formatAge(ms: number): string {
  const units: Array<[string, number]> = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, ms);
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 && parts.length < 2) parts.push(`${n} ${name}${n === 1 ? "" : "s"}`);
    else if (parts.length > 0) break;
  }
  return parts.length > 0 ? parts.join(" ") : "less than a minute";
}

import { EnvelopeError } from "./errors.js";

export interface EnvelopeHeader {
  event_id?: string;
  dsn?: string;
  sent_at?: string;
  [k: string]: unknown;
}

export interface EnvelopeItem {
  type: string;
  header: Record<string, unknown>;
  payload: Buffer;
}

export interface Envelope {
  header: EnvelopeHeader;
  items: EnvelopeItem[];
}

/** Relay's own limit is in the same range; more than this is abuse, not a real SDK. */
export const MAX_ENVELOPE_ITEMS = 100;

const NEWLINE = 0x0a;

/**
 * Parses Sentry's envelope format (https://develop.sentry.dev/sdk/envelopes/):
 * `Headers { "\n" Item } [ "\n" ]`, `Item = Headers "\n" Payload`. Works on bytes, not a string,
 * because `length` counts bytes and attachments may be binary. Only `\n` ends a line, as the
 * spec says: a `\r` before it stays in the line (JSON.parse ignores it in headers).
 * Item indexes in error reasons are 0-based, like `extractEvents().errors[].index`.
 */
export function parseEnvelope(body: Buffer): Envelope {
  if (!Buffer.isBuffer(body)) throw new EnvelopeError("body is not a byte buffer");
  const first = readLine(body, 0);
  if (first.line.length === 0) throw new EnvelopeError("missing envelope header");
  const header = envelopeHeader(parseHeaderObject(first.line, "envelope header"));

  const items: EnvelopeItem[] = [];
  let offset = first.next;
  // Extra blank lines at the very end are not in the grammar, but harmless: accept them.
  while (offset < body.length && !onlyNewlines(body, offset)) {
    const index = items.length;
    if (index >= MAX_ENVELOPE_ITEMS) {
      throw new EnvelopeError(`more than ${MAX_ENVELOPE_ITEMS} items`);
    }
    const headerLine = readLine(body, offset);
    if (headerLine.line.length === 0) throw new EnvelopeError(`item ${index}: empty item header`);
    const itemHeader = parseHeaderObject(headerLine.line, `item ${index}: header`);
    const type = itemHeader.type;
    if (typeof type !== "string" || type === "") {
      throw new EnvelopeError(`item ${index}: header has no "type"`);
    }
    offset = headerLine.next;

    const length = itemHeader.length;
    let payload: Buffer;
    if (length === undefined || length === null) {
      // Implicit length: the payload runs to the next newline (or the end of the body).
      const line = readLine(body, offset);
      payload = line.line;
      offset = line.next;
    } else {
      if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
        throw new EnvelopeError(`item ${index}: "length" is not a non-negative integer`);
      }
      const remaining = body.length - offset;
      if (length > remaining) {
        throw new EnvelopeError(
          `item ${index}: length ${length} exceeds remaining ${remaining} bytes`,
        );
      }
      payload = body.subarray(offset, offset + length);
      offset += length;
      // The spec: a length-prefixed payload ends with "\n" or EOF; anything else is malformed.
      if (offset < body.length) {
        if (body[offset] !== NEWLINE) {
          throw new EnvelopeError(`item ${index}: payload is not followed by a newline`);
        }
        offset += 1;
      }
    }
    items.push({ type, header: itemHeader, payload });
  }
  return { header, items };
}

function readLine(body: Buffer, offset: number): { line: Buffer; next: number } {
  const end = body.indexOf(NEWLINE, offset);
  if (end < 0) return { line: body.subarray(offset), next: body.length };
  return { line: body.subarray(offset, end), next: end + 1 };
}

function onlyNewlines(body: Buffer, offset: number): boolean {
  for (let i = offset; i < body.length; i++) if (body[i] !== NEWLINE) return false;
  return true;
}

function parseHeaderObject(line: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    // A leading BOM is not JSON whitespace; some hand-written clients send one.
    value = JSON.parse(line.toString("utf8").replace(/^\uFEFF/, ""));
  } catch {
    throw new EnvelopeError(`${what} is not valid JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EnvelopeError(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Keeps the header as sent (unknown attributes must be retained, says the spec) but drops the
 * known ones when they have the wrong type, so `EnvelopeHeader` tells the truth. The event
 * payload carries its own `event_id`, so a broken header field need not reject the envelope.
 */
function envelopeHeader(raw: Record<string, unknown>): EnvelopeHeader {
  const header: EnvelopeHeader = { ...raw };
  for (const key of ["event_id", "dsn", "sent_at"] as const) {
    if (key in header && typeof header[key] !== "string") delete header[key];
  }
  return header;
}

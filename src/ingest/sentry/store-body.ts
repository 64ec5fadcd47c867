import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";

/**
 * A `store/` body as legacy clients send it. Current SDKs post JSON (compressed, if at all, with
 * a Content-Encoding the server already undid); the raven clients (raven-node, raven-ruby,
 * raven-python) post `base64(zlib(JSON))` as application/octet-stream with no Content-Encoding
 * (Sentry's server decodes it the same way: base64 when the body is not JSON, then zlib when it
 * starts with a zlib header). Plain zlib or gzip bytes without the base64 are accepted too.
 */
export type StoreBody =
  | { ok: true; json: unknown }
  | { ok: false; code: "invalid_json" | "payload_too_large"; reason: string };

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** `maxBytes` bounds what decompression may produce: a 1 KiB zlib bomb must not become 1 GiB. */
export function decodeStoreBody(body: Buffer, maxBytes: number): StoreBody {
  const text = body
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trim();
  if (text.startsWith("{")) return parseJson(text);
  let bytes: Buffer = body;
  const compact = text.replace(/\s+/g, "");
  if (compact.length > 0 && BASE64.test(compact)) bytes = Buffer.from(compact, "base64");
  const inflated = inflate(bytes, maxBytes);
  if (inflated.ok === false) return inflated;
  return parseJson(inflated.bytes.toString("utf8").replace(/^\uFEFF/, ""));
}

function inflate(
  bytes: Buffer,
  maxBytes: number,
): { ok: true; bytes: Buffer } | Extract<StoreBody, { ok: false }> {
  const first = bytes[0];
  const second = bytes[1];
  if (first === 0x7b) return { ok: true, bytes }; // "{": base64 of plain JSON
  const isGzip = first === 0x1f && second === 0x8b;
  // zlib: CMF 0x78 (deflate, 32K window) and a header checksum that is a multiple of 31.
  const isZlib = first === 0x78 && second !== undefined && ((first << 8) | second) % 31 === 0;
  try {
    const options = { maxOutputLength: maxBytes };
    if (isGzip) return { ok: true, bytes: gunzipSync(bytes, options) };
    if (isZlib) return { ok: true, bytes: inflateSync(bytes, options) };
    return { ok: true, bytes: inflateRawSync(bytes, options) };
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      return {
        ok: false,
        code: "payload_too_large",
        reason: `the body decompresses to more than ${maxBytes} bytes`,
      };
    }
    return {
      ok: false,
      code: "invalid_json",
      reason: "the body is neither JSON nor base64/zlib-compressed JSON",
    };
  }
}

function parseJson(text: string): StoreBody {
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch {
    return { ok: false, code: "invalid_json", reason: "the body is not valid JSON" };
  }
}

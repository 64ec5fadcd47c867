import type { IncomingMessage } from "node:http";
import { Transform, type TransformCallback } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { FastifyReply, FastifyRequest, RequestPayload } from "fastify";
import { IngestError } from "./http-error.js";

/**
 * Request body decompression for the ingestion routes, in place of @fastify/compress's:
 *
 * - The request is authenticated first, from what it carries outside its body (key header,
 *   query): an unknown key is refused before a byte is inflated. A compressed body whose key can
 *   only be inside it (a Sentry envelope's `dsn` header) is refused too.
 * - Nothing is inflated until the body parser reads: a request answered before (content-length
 *   over the limit, unsupported content type) never creates a decompressor.
 * - The decompressor is destroyed on every early end: inflated size past the limit (413), encoded
 *   size past it, corrupt data (400), a client that hangs up, a response sent for any reason.
 *   @fastify/compress left it alive after a 413 (Fastify only stops listening to it), and each
 *   one held its zlib or brotli state: ~4.4 MB after a full GC per 385-byte brotli bomb, 2.78 GB
 *   RSS after 609 of them (issue #19).
 */

const INFLATERS = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
} as const;

type Encoding = keyof typeof INFLATERS;

/**
 * How a route finds the request's key outside its body. Throws an IngestError (401/403) for a bad
 * one; returns false when there is none there (the body may still carry one, e.g. an envelope's
 * dsn header), true once the key is known good.
 */
export type AuthenticateOutsideBody = (request: FastifyRequest) => Promise<boolean>;

export interface DecompressOptions {
  bodyLimit: number;
  authenticate: AuthenticateOutsideBody;
}

/** The stream Fastify's body reader compares with Content-Length (the bytes on the wire). */
interface CountedStream extends Transform {
  receivedEncodedLength: number;
}

function encodingOf(request: FastifyRequest): string | undefined {
  const header = request.headers["content-encoding"];
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  return value && value !== "identity" ? value : undefined;
}

/** A `preParsing` hook: authenticate, then (for a compressed body) inflate within the limit. */
export function decompressAfterAuth(options: DecompressOptions) {
  return async (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: RequestPayload,
  ): Promise<RequestPayload> => {
    // CORS preflights (and any other bodiless request) are not reports.
    if (request.method !== "POST") return payload;
    const keyOutside = await options.authenticate(request);
    const encoding = encodingOf(request);
    if (encoding === undefined) return payload;
    if (!Object.hasOwn(INFLATERS, encoding)) {
      throw new IngestError(
        "unsupported_encoding",
        `unsupported Content-Encoding "${encoding}" (gzip, deflate or br)`,
      );
    }
    if (!keyOutside) {
      throw new IngestError(
        "missing_key",
        "a compressed body needs its key outside it: send X-Sentry-Auth or ?sentry_key=…",
      );
    }
    return inflate(request.raw, reply, encoding as Encoding, options.bodyLimit);
  };
}

function inflate(
  raw: IncomingMessage,
  reply: FastifyReply,
  encoding: Encoding,
  limit: number,
): RequestPayload {
  let inflater: ReturnType<(typeof INFLATERS)[Encoding]> | undefined;
  let inflated = 0;
  let finished = false;

  const output = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      inflated += chunk.length;
      if (inflated > limit) {
        callback(tooLarge(limit));
        return;
      }
      callback(null, chunk);
    },
  }) as CountedStream;
  output.receivedEncodedLength = 0;

  const onRawData = (chunk: Buffer) => {
    output.receivedEncodedLength += chunk.length;
    if (output.receivedEncodedLength > limit) stop(tooLarge(limit));
  };

  /** Ends the decompression early: every stream of it destroyed, the rest of the body drained. */
  const stop = (error?: Error) => {
    if (finished) return;
    finished = true;
    raw.off("data", onRawData);
    if (inflater) {
      raw.unpipe(inflater);
      inflater.unpipe(output);
      inflater.destroy();
    }
    // Read and drop what the client still sends, so that the answer (413, 400) can be sent on a
    // connection that stays usable; Node stops reading once the request is complete.
    if (!raw.readableEnded) raw.resume();
    if (!output.destroyed) output.destroy(error);
  };

  output.on("error", () => stop());
  output.once("end", () => {
    finished = true;
    raw.off("data", onRawData);
  });
  // Started by the body reader's first read: nothing is inflated for a request answered before.
  output.once("resume", () => {
    if (finished) return;
    const created = INFLATERS[encoding]();
    inflater = created;
    created.on("error", () =>
      stop(new IngestError("invalid_encoding", `the body is not valid ${encoding} data`)),
    );
    raw.on("data", onRawData);
    raw.pipe(created).pipe(output);
  });
  // A client that hangs up, a timeout, or an answer sent before the body was read to its end.
  raw.once("aborted", () => stop());
  raw.once("error", () => stop());
  reply.raw.once("close", () => stop());
  return output;
}

function tooLarge(limit: number): IngestError {
  return new IngestError(
    "payload_too_large",
    `the body is larger than ${limit} bytes once decompressed`,
  );
}

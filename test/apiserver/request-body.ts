/** Request bodies: read whole (with a cap, as the real server has), then decoded by content type. */
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest, unsupportedMediaType } from './status';

const MAX_BODY = 32 * 1024 * 1024;

export interface RawBody {
  bytes: Buffer;
  /** The media type without parameters, lower-cased; "application/json" when the client sent none. */
  mediaType: string;
}

const tooLarge = (): ApiError =>
  new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Request entity too large: limit is 33554432', reason: 'RequestEntityTooLarge', code: 413 });

export function readBody(req: IncomingMessage): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return reject(tooLarge());
      const mediaType = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
      resolve({ bytes: Buffer.concat(chunks), mediaType });
    });
    req.on('error', reject);
  });
}

/** The body as JSON; `allowed` lists the JSON media types this request accepts. */
export function jsonBody(body: RawBody, allowed: readonly string[] = ['application/json']): unknown {
  if (!allowed.includes(body.mediaType)) throw unsupportedMediaType(body.mediaType);
  const text = body.bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

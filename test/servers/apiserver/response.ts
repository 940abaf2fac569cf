/**
 * Writing a JSON answer the way kube-apiserver does: gzip-compressed when the client accepts it and the body is
 * larger than 128 KiB (its compression threshold), so clients meet compressed list pages as they would for real.
 */
import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { stringifyDeep } from './deep-json';

const COMPRESSION_THRESHOLD = 128 * 1024;

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? '').split(',').some((e) => e.split(';')[0].trim().toLowerCase() === 'gzip');
}

/** Writes the answer; returns whether it was compressed. */
export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType: string,
  acceptEncoding: string | undefined,
): boolean {
  const text = Buffer.from(stringifyDeep(body));
  const gzip = text.length > COMPRESSION_THRESHOLD && acceptsGzip(acceptEncoding);
  const payload = gzip ? gzipSync(text, { level: 1 }) : text;
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': payload.length,
    'Cache-Control': 'no-cache, private',
    ...(gzip ? { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' } : {}),
  });
  res.end(payload);
  return gzip;
}
